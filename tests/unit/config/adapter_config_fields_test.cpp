#include "config/adapter_config_fields.h"

#include <catch2/catch.hpp>
#include <cstdlib>

namespace ac = knutpunkt::adapter_config;
using knutpunkt::ConfigError;
using knutpunkt::FieldReader;
using nlohmann::json;

namespace {

std::expected<std::string, ConfigError> read_token(const json& config) {
  FieldReader fields(config, "/a");
  std::string token;
  ac::read_token(fields, token);
  if (!fields.ok()) return std::unexpected(fields.error());
  return token;
}

std::expected<std::size_t, ConfigError> read_max_report_bytes(const json& config, std::size_t fallback) {
  FieldReader fields(config, "/a");
  std::size_t bytes = fallback;
  ac::read_max_report_bytes(fields, bytes);
  if (!fields.ok()) return std::unexpected(fields.error());
  return bytes;
}

}  // namespace

TEST_CASE("a partner token comes from the config or from the environment, never from both") {
  CHECK(read_token(json{{"token", "abc"}}).value() == "abc");
  CHECK(read_token(json::object()).value().empty());
  ::setenv("KNUTPUNKT_CORE_TEST_TOKEN", "from-env", 1);
  CHECK(read_token(json{{"token_env", "KNUTPUNKT_CORE_TEST_TOKEN"}}).value() == "from-env");
  auto both = read_token(json{{"token", "abc"}, {"token_env", "KNUTPUNKT_CORE_TEST_TOKEN"}});
  REQUIRE_FALSE(both);
  CHECK(both.error().field == "/a/token_env");
  ::unsetenv("KNUTPUNKT_CORE_TEST_TOKEN_UNSET");
  auto unset = read_token(json{{"token_env", "KNUTPUNKT_CORE_TEST_TOKEN_UNSET"}});
  REQUIRE_FALSE(unset);
  CHECK(unset.error().field == "/a/token_env");
}

TEST_CASE("a partner token that is empty, not text, or breaks a header line is refused naming the field") {
  CHECK(read_token(json{{"token", ""}}).error().field == "/a/token");
  CHECK(read_token(json{{"token", 42}}).error().field == "/a/token");
  CHECK(read_token(json{{"token", "abc\r\nX-Evil: 1"}}).error().field == "/a/token");
}

TEST_CASE("max_report_bytes defaults, and is held to 1 KiB .. 16 MiB") {
  CHECK(read_max_report_bytes(json::object(), 4096).value() == 4096);
  CHECK(read_max_report_bytes(json{{"max_report_bytes", 1024}}, 4096).value() == 1024);
  CHECK(read_max_report_bytes(json{{"max_report_bytes", 16777216}}, 4096).value() == 16777216);
  CHECK(read_max_report_bytes(json{{"max_report_bytes", 1023}}, 4096).error().field == "/a/max_report_bytes");
  CHECK_FALSE(read_max_report_bytes(json{{"max_report_bytes", "big"}}, 4096));
}
