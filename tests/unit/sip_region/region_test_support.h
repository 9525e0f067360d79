#pragma once
// Fixtures of tests/fixtures/sip_region for the SIP region adapter's tests.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace sip_region_test {

inline std::string read_text(const std::string& name) {
  std::ifstream in(std::string(SIP_REGION_FIXTURE_DIR) + "/" + name);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline nlohmann::json fixture(const std::string& name) {
  return nlohmann::json::parse(read_text(name));
}

}  // namespace sip_region_test
