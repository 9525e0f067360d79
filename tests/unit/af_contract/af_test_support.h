#pragma once
// Shared by the AF contract tests: the loaded mappings (with AF's published schemas) and the
// fixtures the simulator produced.
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "mapping/versioned_mapping.h"

namespace af_test {

inline const std::map<std::string, knutpunkt::mapping::VersionedMapping>& mappings() {
  static const auto loaded = [] {
    auto result = knutpunkt::mapping::load_versioned_mappings(AF_MAPPINGS_DIR, AF_SCHEMA_DIR);
    if (!result) throw std::runtime_error(result.error().where + ": " + result.error().message);
    return *result;
  }();
  return loaded;
}

inline std::string fixture_text(const std::string& name) {
  std::ifstream in(std::filesystem::path(AF_FIXTURE_DIR) / name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline nlohmann::json fixture(const std::string& name) { return nlohmann::json::parse(fixture_text(name)); }

}  // namespace af_test
