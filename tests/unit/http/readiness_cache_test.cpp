// The readiness cache: the background refresh probes, one probe per check at a time; /readyz only
// reads the last answers, told how old they are by an injected clock.
#include "http/readiness_cache.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <vector>

using namespace knutpunkt;
using namespace knutpunkt::http;
using namespace std::chrono_literals;

namespace {

struct ManualProbe {
  int started = 0;
  std::vector<ReadinessCache::Answer> pending;
  ReadinessCache::Probe probe() {
    return [this](ReadinessCache::Answer answer) {
      ++started;
      pending.push_back(std::move(answer));
    };
  }
  void answer(bool ready) {
    auto answers = std::move(pending);
    pending.clear();
    for (auto& a : answers) a(Readiness{ready, ready ? "ok" : "down"});
  }
};

// The last answer a read gives at once, or nullopt; fails the test when the read waits.
std::optional<ReadinessCache::Checked> read_now(ReadinessCache& cache, const std::string& name) {
  bool answered = false;
  std::optional<ReadinessCache::Checked> out;
  cache.read(name, [&](std::optional<ReadinessCache::Checked> last) {
    answered = true;
    out = std::move(last);
  });
  REQUIRE(answered);
  return out;
}

}  // namespace

TEST_CASE("fifty readiness reads while the first probe runs wait for it, and reads after it reuse its answer") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  ReadinessCache cache([&] { return now; });
  ManualProbe partner;
  cache.refresh("ssbtek", partner.probe(), [](Readiness) {});
  int answered = 0;
  int ready = 0;
  for (int k = 0; k < 50; ++k) {
    cache.read("ssbtek", [&](std::optional<ReadinessCache::Checked> last) {
      ++answered;
      ready += last && last->readiness.ready ? 1 : 0;
    });
  }
  CHECK(partner.started == 1);
  CHECK(answered == 0);
  partner.answer(true);
  CHECK(answered == 50);
  CHECK(ready == 50);

  now += 1h;
  for (int k = 0; k < 50; ++k) cache.read("ssbtek", [&](std::optional<ReadinessCache::Checked>) { ++answered; });
  CHECK(partner.started == 1);
  CHECK(answered == 100);
}

TEST_CASE("the next background refresh probes again; reads meanwhile see the last answer, then the new one") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  ReadinessCache cache([&] { return now; });
  ManualProbe partner;
  cache.refresh("ssbtek", partner.probe(), [](Readiness) {});
  partner.answer(true);
  const auto first = now;
  now += 10s;
  bool refreshed = true;
  cache.refresh("ssbtek", partner.probe(), [&](Readiness r) { refreshed = r.ready; });
  CHECK(partner.started == 2);
  auto during = read_now(cache, "ssbtek");
  REQUIRE(during);
  CHECK(during->readiness.ready);
  CHECK(during->at == first);
  now += 1s;
  partner.answer(false);
  CHECK_FALSE(refreshed);
  auto after = read_now(cache, "ssbtek");
  REQUIRE(after);
  CHECK_FALSE(after->readiness.ready);
  CHECK(after->readiness.detail == "down");
  CHECK(after->at == now);
  CHECK(partner.started == 2);
}

TEST_CASE("each readiness check is refreshed and read on its own") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  ReadinessCache cache([&] { return now; });
  ManualProbe store, partner;
  cache.refresh("store", store.probe(), [](Readiness) {});
  cache.refresh("adapter:ssbtek", partner.probe(), [](Readiness) {});
  CHECK(store.started == 1);
  CHECK(partner.started == 1);
  store.answer(true);
  CHECK(read_now(cache, "store")->readiness.ready);
  bool partner_read = false;
  cache.read("adapter:ssbtek", [&](std::optional<ReadinessCache::Checked>) { partner_read = true; });
  CHECK_FALSE(partner_read);  // its first probe still runs
  partner.answer(false);
  CHECK(partner_read);
}

TEST_CASE("a refresh while a probe of the same check runs joins it instead of probing twice") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  ReadinessCache cache([&] { return now; });
  ManualProbe partner;
  int done = 0;
  cache.refresh("ssbtek", partner.probe(), [&](Readiness) { ++done; });
  cache.refresh("ssbtek", partner.probe(), [&](Readiness) { ++done; });
  CHECK(partner.started == 1);
  partner.answer(true);
  CHECK(done == 2);
  cache.refresh("ssbtek", partner.probe(), [&](Readiness) { ++done; });
  CHECK(partner.started == 2);
}

TEST_CASE("reading a check never probes it: one never refreshed reads as no answer at once") {
  ReadinessCache cache;
  CHECK_FALSE(read_now(cache, "ssbtek").has_value());
  CHECK_FALSE(read_now(cache, "ssbtek").has_value());
}

TEST_CASE("a check is described with its age, and not ready when missing or older than the stale limit") {
  const auto now = std::chrono::steady_clock::time_point{} + 1h;
  const auto fresh =
      describe_check(ReadinessCache::Checked{{true, "testaBastjanstInformation ok"}, now - 2500ms}, now, 36000ms);
  CHECK(fresh["ready"] == true);
  CHECK(fresh["age_ms"] == 2500);
  CHECK(fresh["detail"] == "testaBastjanstInformation ok");

  const auto down = describe_check(ReadinessCache::Checked{{false, "connect: connection refused"}, now}, now, 36000ms);
  CHECK(down["ready"] == false);
  CHECK(down["age_ms"] == 0);
  CHECK(down["detail"] == "connect: connection refused");

  const auto stale = describe_check(ReadinessCache::Checked{{true, "ok"}, now - 36001ms}, now, 36000ms);
  CHECK(stale["ready"] == false);
  CHECK(stale["age_ms"] == 36001);
  CHECK(stale["detail"] == "no check for over 36000 ms");

  const auto missing = describe_check(std::nullopt, now, 36000ms);
  CHECK(missing["ready"] == false);
  CHECK_FALSE(missing.contains("age_ms"));
  CHECK(missing["detail"] == "not checked yet");
}
