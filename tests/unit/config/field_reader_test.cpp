#include "config/field_reader.h"

#include <catch2/catch.hpp>

using knutpunkt::FieldReader;
using knutpunkt::Presence;
using nlohmann::json;

TEST_CASE("the first wrong field is reported by its JSON pointer, and later reads do not replace it") {
  const json server{{"port", 70000}, {"host", 7}};
  FieldReader f(server, "/server");
  int port = 0;
  std::string host;
  f.integer("port", port, 0, 65535);
  f.string("host", host);
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().field == "/server/port");
  CHECK(f.error().message == "must be between 0 and 65535");
}

TEST_CASE("a nested object is read by its own reader and its error names the nested field") {
  const json delivery{{"retry", {{"max_attempts", "many"}}}};
  FieldReader f(delivery, "/webhooks/0/delivery");
  int attempts = 1;
  f.object("retry", [&](FieldReader& retry) { retry.integer("max_attempts", attempts, 1, 1000); });
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().field == "/webhooks/0/delivery/retry/max_attempts");
  CHECK(f.error().message == "must be an integer");
}

TEST_CASE("an enum code, a duration, a bool and a required field read as typed values") {
  enum class Mode { fast, careful };
  const json config{{"mode", "careful"}, {"timeout_s", 3}, {"strict", true}};
  FieldReader f(config, "/x");
  Mode mode = Mode::fast;
  std::chrono::milliseconds timeout{0};
  bool strict = false;
  f.code("mode", mode, {{"fast", Mode::fast}, {"careful", Mode::careful}}, "must be fast or careful");
  f.duration<std::chrono::seconds>("timeout_s", timeout, 1, 60);
  f.boolean("strict", strict);
  REQUIRE(f.ok());
  CHECK(mode == Mode::careful);
  CHECK(timeout == std::chrono::seconds{3});
  CHECK(strict);
  f.field("name", Presence::required);
  CHECK(f.error().field == "/x/name");
  CHECK(f.error().message == "is required");
}
