#include "core/ids.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <thread>

#include "core/clock.h"
#include "core/digest.h"

using namespace knutpunkt;

TEST_CASE("new ids are version-7 UUIDs and do not repeat") {
  const std::regex uuid_v7("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = new_uuid();
    REQUIRE(std::regex_match(id, uuid_v7));
    REQUIRE(seen.insert(id).second);
  }
}

TEST_CASE("new ids carry the millisecond they were made in, so later ids sort after earlier ones") {
  using namespace std::chrono;
  const auto millis = [] { return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count(); };
  const auto stamp = [](const std::string& id) { return std::stoll(id.substr(0, 8) + id.substr(9, 4), nullptr, 16); };
  const auto before = millis();
  const std::string first = new_uuid();
  std::this_thread::sleep_for(milliseconds(2));
  const std::string second = new_uuid();
  const auto after = millis();
  CHECK(stamp(first) >= before);
  CHECK(stamp(second) <= after);
  CHECK(stamp(first) < stamp(second));
  CHECK(first < second);
  // Within one millisecond the rest is random: no two ids share their random bits.
  CHECK(first.substr(14) != second.substr(14));
}

TEST_CASE("a forked child does not hand out the random bits its parent will use") {
  // The parent has drawn once, so its pool holds bytes for the ids to come.
  (void)new_uuid();
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const std::string id = new_uuid();
    const auto written = write(fds[1], id.data(), id.size());
    _exit(written == static_cast<ssize_t>(id.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string child_id(36, '\0');
  const auto got = read(fds[0], child_id.data(), child_id.size());
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(got == 36);
  REQUIRE(WIFEXITED(status));
  const std::string parent_id = new_uuid();
  CHECK(child_id.substr(14) != parent_id.substr(14));
}

TEST_CASE("sha256 matches the published test vector") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("timestamps are UTC RFC 3339 with milliseconds") {
  using namespace std::chrono;
  const sys_days day = year{2026} / November / 24;
  CHECK(format_utc(day + hours{13} + minutes{5} + seconds{9} + milliseconds{7}) == "2026-11-24T13:05:09.007Z");
}
