#include "core/clock.h"
#include "core/digest.h"
#include "core/ids.h"

#include <catch2/catch.hpp>

#include <regex>
#include <set>

using namespace knutpunkt;

TEST_CASE("new ids are version-4 UUIDs and do not repeat") {
  const std::regex uuid_v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = new_uuid();
    REQUIRE(std::regex_match(id, uuid_v4));
    REQUIRE(seen.insert(id).second);
  }
}

TEST_CASE("sha256 matches the published test vector") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("timestamps are UTC RFC 3339 with milliseconds") {
  using namespace std::chrono;
  const sys_days day = year{2026} / November / 24;
  CHECK(format_utc(day + hours{13} + minutes{5} + seconds{9} + milliseconds{7}) == "2026-11-24T13:05:09.007Z");
}
