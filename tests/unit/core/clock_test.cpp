#include <catch2/catch.hpp>

#include "core/clock.h"

using namespace knutpunkt;

TEST_CASE("parse_utc reads what format_utc writes, and plain dates as midnight UTC") {
  const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const auto back = parse_utc(format_utc(now));
  REQUIRE(back);
  CHECK(*back == now);
  const auto midnight = parse_utc("2026-11-24");
  REQUIRE(midnight);
  CHECK(format_utc(*midnight) == "2026-11-24T00:00:00.000Z");
  CHECK(format_utc(*parse_utc("2026-11-24T08:05:09Z")) == "2026-11-24T08:05:09.000Z");
  CHECK(format_utc(*parse_utc("2026-11-24T08:05:09.5Z")) == "2026-11-24T08:05:09.500Z");
}

TEST_CASE("parse_utc refuses what is not an RFC 3339 UTC time") {
  for (const char* bad : {"", "2026-11-24T08:05:09", "2026-11-24T08:05:09+01:00", "2026-02-30", "2026-11-24 08:05:09Z",
                          "+026-11-24", "2026-11-24T24:00:00Z", "2026-11-24T08:05:09.Z", "yesterday", "2026-11-24Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_utc(bad));
  }
}

TEST_CASE("parse_utc refuses a well-formed time the clock cannot hold, instead of overflowing") {
  // system_clock's 64-bit nanoseconds end in 1677 and 2262; a client or partner may still write 1013.
  for (const char* far : {"1013-11-20T09:00:00Z", "0000-01-01", "1677-01-01", "2263-01-01T00:00:00Z", "9999-12-31"}) {
    INFO(far);
    CHECK_FALSE(parse_utc(far));
  }
  CHECK(parse_utc("1900-01-01"));
  CHECK(parse_utc("2200-12-31T23:59:59.999Z"));
}
