// The readiness cache: one probe per check per interval, shared by callers who come while it runs,
// told by an injected clock.
#include "http/readiness_cache.h"

#include <catch2/catch.hpp>
#include <chrono>
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

}  // namespace

TEST_CASE("fifty readiness calls while a probe runs share it, and calls within the interval reuse its answer") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  ReadinessCache cache(5000ms, [&] { return now; });
  ManualProbe partner;
  int answered = 0;
  int ready = 0;
  for (int k = 0; k < 50; ++k) {
    cache.check("ssbtek", partner.probe(), [&](Readiness r) {
      ++answered;
      ready += r.ready ? 1 : 0;
    });
  }
  CHECK(partner.started == 1);
  CHECK(answered == 0);
  partner.answer(true);
  CHECK(answered == 50);
  CHECK(ready == 50);

  now += 4999ms;
  for (int k = 0; k < 50; ++k) cache.check("ssbtek", partner.probe(), [&](Readiness) { ++answered; });
  CHECK(partner.started == 1);
  CHECK(answered == 100);
}

TEST_CASE("once the interval has passed, the next readiness call probes again and sees the new answer") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  ReadinessCache cache(5000ms, [&] { return now; });
  ManualProbe partner;
  cache.check("ssbtek", partner.probe(), [](Readiness) {});
  partner.answer(true);
  now += 5000ms;
  bool last = true;
  cache.check("ssbtek", partner.probe(), [&](Readiness r) { last = r.ready; });
  CHECK(partner.started == 2);
  partner.answer(false);
  CHECK_FALSE(last);
}

TEST_CASE("each readiness check is cached on its own") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  ReadinessCache cache(5000ms, [&] { return now; });
  ManualProbe store, partner;
  cache.check("store", store.probe(), [](Readiness) {});
  cache.check("adapter:ssbtek", partner.probe(), [](Readiness) {});
  CHECK(store.started == 1);
  CHECK(partner.started == 1);
}

TEST_CASE("with no interval every readiness call after an answer probes again") {
  auto now = std::chrono::steady_clock::time_point{} + 1h;
  ReadinessCache cache(0ms, [&] { return now; });
  ManualProbe partner;
  cache.check("ssbtek", partner.probe(), [](Readiness) {});
  partner.answer(true);
  cache.check("ssbtek", partner.probe(), [](Readiness) {});
  CHECK(partner.started == 2);
}
