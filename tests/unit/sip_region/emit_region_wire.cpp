// Prints, one JSON line per payload-<type>[-variant].json in the fixture folder, what the adapter
// renders from it: {"fixture", "method", "path", "body"}. check_fixtures.py holds these live
// renderings to the wire schemas, so the schemas describe what the adapter really sends.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "region_wire.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: emit_region_wire FIXTURE_DIR\n";
    return 2;
  }
  int failures = 0;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("payload-") || !name.ends_with(".json")) continue;
    std::string type = name.substr(8, name.size() - 8 - 5);
    if (auto dash = type.find('-'); dash != std::string::npos) type = type.substr(0, dash);
    std::ifstream in(entry.path());
    const auto payload = nlohmann::json::parse(in);
    auto wire = knutpunkt::sip_region::render_region_message("0b0f6c2e-8a55-4b1e-9d51-3f0b7c1d2e10", type, payload);
    if (!wire) {
      std::cerr << name << ": " << wire.error().code << " at " << wire.error().field << "\n";
      ++failures;
      continue;
    }
    std::cout << nlohmann::json{{"fixture", name}, {"method", wire->method}, {"path", wire->path}, {"body", wire->body}}
                     .dump()
              << "\n";
  }
  return failures == 0 ? 0 : 1;
}
