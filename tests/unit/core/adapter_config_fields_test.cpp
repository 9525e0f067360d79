#include <catch2/catch.hpp>

#include <cstdlib>

#include "core/adapter_config_fields.h"

namespace ac = knutpunkt::adapter_config;
using nlohmann::json;

TEST_CASE("a partner token comes from the config or from the environment, never from both") {
  CHECK(ac::read_token(json{{"token", "abc"}}, "/a").value() == "abc");
  CHECK(ac::read_token(json::object(), "/a").value().empty());
  ::setenv("KNUTPUNKT_CORE_TEST_TOKEN", "from-env", 1);
  CHECK(ac::read_token(json{{"token_env", "KNUTPUNKT_CORE_TEST_TOKEN"}}, "/a").value() == "from-env");
  auto both = ac::read_token(json{{"token", "abc"}, {"token_env", "KNUTPUNKT_CORE_TEST_TOKEN"}}, "/a");
  REQUIRE_FALSE(both);
  CHECK(both.error().field == "/a/token_env");
  ::unsetenv("KNUTPUNKT_CORE_TEST_TOKEN_UNSET");
  auto unset = ac::read_token(json{{"token_env", "KNUTPUNKT_CORE_TEST_TOKEN_UNSET"}}, "/a");
  REQUIRE_FALSE(unset);
  CHECK(unset.error().field == "/a/token_env");
}

TEST_CASE("a partner token that is empty, not text, or breaks a header line is refused naming the field") {
  CHECK(ac::read_token(json{{"token", ""}}, "/a").error().field == "/a/token");
  CHECK(ac::read_token(json{{"token", 42}}, "/a").error().field == "/a/token");
  CHECK(ac::read_token(json{{"token", "abc\r\nX-Evil: 1"}}, "/a").error().field == "/a/token");
}

TEST_CASE("max_report_bytes defaults, and is held to 1 KiB .. 16 MiB") {
  CHECK(ac::read_max_report_bytes(json::object(), "/a", 4096).value() == 4096);
  CHECK(ac::read_max_report_bytes(json{{"max_report_bytes", 1024}}, "/a", 4096).value() == 1024);
  CHECK(ac::read_max_report_bytes(json{{"max_report_bytes", 16777216}}, "/a", 4096).value() == 16777216);
  CHECK(ac::read_max_report_bytes(json{{"max_report_bytes", 1023}}, "/a", 4096).error().field == "/a/max_report_bytes");
  CHECK_FALSE(ac::read_max_report_bytes(json{{"max_report_bytes", "big"}}, "/a", 4096));
}
