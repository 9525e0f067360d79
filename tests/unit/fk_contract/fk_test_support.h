#pragma once
// The fixtures, mappings and configuration every Försäkringskassan contract test reads, loaded one
// way for all of them: a test that disagrees with another then disagrees about FK, not about setup.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "decision_reader.h"
#include "fk_config.h"
#include "mapping/versioned_mapping.h"

namespace fk_test {

// A fixture of tests/fixtures/forsakringskassan as the bytes the simulator sends.
inline std::string read_text(const std::string& name) {
  std::ifstream in(std::string(FK_FIXTURE_DIR) + "/" + name);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline nlohmann::json fixture_json(const std::string& name) {
  return nlohmann::json::parse(read_text(name));
}

inline const std::map<std::string, knutpunkt::mapping::VersionedMapping>& mappings() {
  static const auto loaded = [] {
    auto result = knutpunkt::mapping::load_versioned_mappings(FK_MAPPING_DIR, FK_SCHEMA_DIR);
    if (!result) FAIL(result.error().where + ": " + result.error().message);
    return *result;
  }();
  return loaded;
}

inline nlohmann::json config_json() {
  return {{"endpoint", "http://127.0.0.1:18083/fk"},
          {"aktorsid", "9255f428-4ba0-63ce-5407-e65d469fac0f"},
          {"token", "t0k"},
          {"mappings", FK_MAPPING_DIR}};
}

// The adapter's config as read from config_json() with `overrides` on top.
inline knutpunkt::forsakringskassan::FkConfig config(const nlohmann::json& overrides = nlohmann::json::object()) {
  auto raw = config_json();
  raw.update(overrides);
  auto parsed = knutpunkt::forsakringskassan::read_fk_config(raw, "/adapters/0/config", "/");
  REQUIRE(parsed);
  return *parsed;
}

inline const knutpunkt::forsakringskassan::DecisionReader& reader() {
  static const knutpunkt::forsakringskassan::DecisionReader loaded(
      config(), mappings().at(knutpunkt::forsakringskassan::kBeslutsnotifiering));
  return loaded;
}

}  // namespace fk_test
