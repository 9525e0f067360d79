#include "delivery/circuit_breaker.h"

#include <catch2/catch.hpp>

using namespace knutpunkt::delivery;
using namespace std::chrono_literals;

namespace {

using Clock = CircuitBreaker::Clock;
const Clock::time_point t0 = Clock::time_point{} + 1000s;

CircuitBreaker breaker_with(int threshold, std::chrono::milliseconds open_for) {
  return CircuitBreaker(BreakerSettings{threshold, open_for});
}

}  // namespace

TEST_CASE("a closed breaker lets every attempt through and opens after threshold consecutive failures") {
  auto b = breaker_with(3, 1000ms);
  CHECK(b.state(t0) == BreakerState::closed);
  for (int i = 0; i < 2; ++i) {
    REQUIRE(b.try_acquire(t0));
    b.record_failure(t0);
    CHECK(b.state(t0) == BreakerState::closed);
  }
  CHECK(b.consecutive_failures() == 2);
  REQUIRE(b.try_acquire(t0));
  b.record_failure(t0);
  CHECK(b.state(t0) == BreakerState::open);
  CHECK(b.reopens_at() == t0 + 1000ms);
}

TEST_CASE("an open breaker refuses attempts until open_for has passed") {
  auto b = breaker_with(1, 1000ms);
  b.record_failure(t0);
  CHECK_FALSE(b.try_acquire(t0));
  CHECK_FALSE(b.try_acquire(t0 + 500ms));
  CHECK_FALSE(b.try_acquire(t0 + 999ms));
  CHECK(b.state(t0 + 999ms) == BreakerState::open);
  CHECK(b.state(t0 + 1000ms) == BreakerState::half_open);
}

TEST_CASE("a half-open breaker lets exactly one probe through") {
  auto b = breaker_with(1, 1000ms);
  b.record_failure(t0);
  const auto later = t0 + 1500ms;
  CHECK(b.try_acquire(later));
  CHECK(b.state(later) == BreakerState::half_open);
  CHECK_FALSE(b.try_acquire(later));
  CHECK_FALSE(b.try_acquire(later + 10s));
}

TEST_CASE("a successful probe closes the breaker and resets the failure count") {
  auto b = breaker_with(2, 1000ms);
  b.record_failure(t0);
  b.record_failure(t0);
  REQUIRE(b.state(t0) == BreakerState::open);
  const auto later = t0 + 1000ms;
  REQUIRE(b.try_acquire(later));
  b.record_success();
  CHECK(b.state(later) == BreakerState::closed);
  CHECK(b.consecutive_failures() == 0);
  CHECK(b.try_acquire(later));
  CHECK(b.try_acquire(later));
  // It takes the full threshold again to open.
  b.record_failure(later);
  CHECK(b.state(later) == BreakerState::closed);
  b.record_failure(later);
  CHECK(b.state(later) == BreakerState::open);
}

TEST_CASE("a failed probe reopens the breaker for another open_for from the probe's failure") {
  auto b = breaker_with(3, 1000ms);
  for (int i = 0; i < 3; ++i) b.record_failure(t0);
  const auto probe_at = t0 + 1200ms;
  REQUIRE(b.try_acquire(probe_at));
  b.record_failure(probe_at);  // one failure suffices in half-open
  CHECK(b.state(probe_at) == BreakerState::open);
  CHECK(b.reopens_at() == probe_at + 1000ms);
  CHECK_FALSE(b.try_acquire(probe_at + 999ms));
  CHECK(b.try_acquire(probe_at + 1000ms));
}

TEST_CASE("a success between failures resets the count, so only consecutive failures open") {
  auto b = breaker_with(3, 1000ms);
  b.record_failure(t0);
  b.record_failure(t0);
  b.record_success();
  CHECK(b.consecutive_failures() == 0);
  b.record_failure(t0);
  b.record_failure(t0);
  CHECK(b.state(t0) == BreakerState::closed);
  CHECK(b.try_acquire(t0));
}

TEST_CASE("a neutral outcome frees the probe slot without closing or reopening") {
  auto b = breaker_with(1, 1000ms);
  b.record_failure(t0);
  const auto later = t0 + 1000ms;
  REQUIRE(b.try_acquire(later));
  b.record_neutral();
  CHECK(b.state(later) == BreakerState::half_open);
  CHECK(b.try_acquire(later));  // the next probe
  CHECK_FALSE(b.try_acquire(later));
}
