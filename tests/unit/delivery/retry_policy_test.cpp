#include "delivery/retry_policy.h"

#include <catch2/catch.hpp>

using namespace knutpunkt::delivery;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

RetryPolicy small_policy() {
  RetryPolicy p;
  p.max_attempts = 5;
  p.max_age = 60s;
  p.initial_backoff = 100ms;
  p.multiplier = 2.0;
  p.max_backoff = 1000ms;
  p.jitter = 0.2;
  p.max_retry_after = 10s;
  return p;
}

}  // namespace

TEST_CASE("2xx is delivered; 408, 429 and 5xx are retryable; other 4xx and 3xx are final") {
  for (unsigned s : {200u, 201u, 202u, 204u, 299u}) {
    INFO(s);
    CHECK(classify_status(s) == AttemptClass::delivered);
  }
  for (unsigned s : {408u, 429u, 500u, 502u, 503u, 504u, 599u}) {
    INFO(s);
    CHECK(classify_status(s) == AttemptClass::retryable);
  }
  for (unsigned s : {400u, 401u, 403u, 404u, 409u, 410u, 413u, 422u, 300u, 301u, 302u, 304u, 307u, 308u}) {
    INFO(s);
    CHECK(classify_status(s) == AttemptClass::final);
  }
}

TEST_CASE("without jitter the backoff grows by the multiplier from the initial wait and stops at the cap") {
  RetryPolicy p = small_policy();
  p.jitter = 0.0;
  CHECK(p.backoff(1, 0.3) == 100ms);
  CHECK(p.backoff(2, 0.3) == 200ms);
  CHECK(p.backoff(3, 0.3) == 400ms);
  CHECK(p.backoff(4, 0.3) == 800ms);
  CHECK(p.backoff(5, 0.3) == 1000ms);
  CHECK(p.backoff(30, 0.3) == 1000ms);
  CHECK(p.backoff(1000, 0.3) == 1000ms);  // no overflow far past the cap

  p.multiplier = 3.0;
  CHECK(p.backoff(3, 0.0) == 900ms);
}

TEST_CASE("jitter scales each wait within [1-j, 1+j] and never past the cap") {
  const RetryPolicy p = small_policy();  // jitter 0.2
  // random01 = 0 is the lower bound, 1 the upper bound, 0.5 the middle.
  CHECK(p.backoff(1, 0.0) == 80ms);
  CHECK(p.backoff(1, 0.5) == 100ms);
  CHECK(p.backoff(1, 1.0) == 120ms);
  CHECK(p.backoff(3, 0.0) == 320ms);
  CHECK(p.backoff(3, 1.0) == 480ms);
  // At the cap the lower bound still applies and the upper bound is the cap itself.
  CHECK(p.backoff(10, 0.0) == 800ms);
  CHECK(p.backoff(10, 1.0) == 1000ms);
  for (int failed = 1; failed <= 12; ++failed) {
    for (double r = 0.0; r <= 1.0; r += 0.125) {
      const auto wait = p.backoff(failed, r);
      INFO("failed " << failed << " random " << r);
      CHECK(wait <= p.max_backoff);
      CHECK(wait >= p.backoff(failed, 0.0));
      CHECK(wait <= p.backoff(failed, 1.0));
    }
  }
  // Out-of-range randomness is clamped, not extrapolated.
  CHECK(p.backoff(1, -5.0) == 80ms);
  CHECK(p.backoff(1, 7.0) == 120ms);
}

TEST_CASE("a final status goes to the dead letters at once, whatever budget is left") {
  const auto d = decide(small_policy(), AttemptClass::final, 1, 0ms, std::nullopt, 0.5);
  CHECK_FALSE(d.retry);
  CHECK(d.reason == "final_status");
}

TEST_CASE("a retryable failure is retried after the backoff until max_attempts is spent") {
  const RetryPolicy p = small_policy();
  auto d = decide(p, AttemptClass::retryable, 1, 0ms, std::nullopt, 0.5);
  CHECK(d.retry);
  CHECK(d.wait == p.backoff(1, 0.5));
  CHECK(d.reason.empty());

  d = decide(p, AttemptClass::retryable, 3, 0ms, std::nullopt, 0.5);
  CHECK(d.retry);
  CHECK(d.wait == p.backoff(3, 0.5));

  d = decide(p, AttemptClass::retryable, p.max_attempts - 1, 0ms, std::nullopt, 0.5);
  CHECK(d.retry);

  d = decide(p, AttemptClass::retryable, p.max_attempts, 0ms, std::nullopt, 0.5);
  CHECK_FALSE(d.retry);
  CHECK(d.reason == "max_attempts");
}

TEST_CASE("a retry that would wait past max_age dead-letters the message instead") {
  const RetryPolicy p = small_policy();  // max_age 60 s, first wait 100 ms at r = 0.5
  CHECK(decide(p, AttemptClass::retryable, 1, 59800ms, std::nullopt, 0.5).retry);
  const auto d = decide(p, AttemptClass::retryable, 1, 59950ms, std::nullopt, 0.5);
  CHECK_FALSE(d.retry);
  CHECK(d.reason == "max_age");
  CHECK(decide(p, AttemptClass::retryable, 1, 61s, std::nullopt, 0.5).reason == "max_age");
}

TEST_CASE("Retry-After is honoured when longer than the backoff, and capped by max_retry_after") {
  const RetryPolicy p = small_policy();  // max_retry_after 10 s
  auto d = decide(p, AttemptClass::retryable, 1, 0ms, 3s, 0.5);
  REQUIRE(d.retry);
  CHECK(d.wait >= 3s);
  CHECK(d.wait == 3s);

  // Shorter than our own backoff: our backoff wins (Retry-After is a minimum, not an order).
  d = decide(p, AttemptClass::retryable, 4, 0ms, 10ms, 0.5);
  REQUIRE(d.retry);
  CHECK(d.wait == p.backoff(4, 0.5));

  // A partner asking for a day gets max_retry_after.
  d = decide(p, AttemptClass::retryable, 1, 0ms, hours{24}, 0.5);
  REQUIRE(d.retry);
  CHECK(d.wait == p.max_retry_after);

  // Retry-After counts against max_age like any wait.
  d = decide(p, AttemptClass::retryable, 1, 55s, 8s, 0.5);
  CHECK_FALSE(d.retry);
  CHECK(d.reason == "max_age");
}

TEST_CASE("Retry-After as delay-seconds is read, with surrounding spaces") {
  const auto now = system_clock::now();
  CHECK(parse_retry_after("0", now) == 0ms);
  CHECK(parse_retry_after("1", now) == 1000ms);
  CHECK(parse_retry_after("120", now) == 120000ms);
  CHECK(parse_retry_after("  7 ", now) == 7000ms);
}

TEST_CASE("Retry-After as an IMF-fixdate is the time left until that date, never negative") {
  // Sun, 06 Nov 1994 08:49:37 GMT, the example of RFC 9110.
  const system_clock::time_point date = sys_days{year{1994} / November / 6} + 8h + 49min + 37s;
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", date - 30s) == 30000ms);
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", date - 1500ms) == 1500ms);
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", date + 1h) == 0ms);
  const system_clock::time_point later = sys_days{year{2030} / January / 2} + 3h;
  CHECK(parse_retry_after("Wed, 02 Jan 2030 03:00:10 GMT", later) == 10000ms);
}

TEST_CASE("an unreadable Retry-After is ignored (nullopt), not taken as zero") {
  const auto now = system_clock::now();
  for (const char* garbage : {"", "   ", "soon", "-5", "1.5", "5s", "0x10", "Sun, 06 Nov 1994 08:49:37",
                              "Sun, 06 Nov 1994 08:49:37 GMT trailing", "06/11/1994", "99999999999999999999",
                              "31536001"}) {
    INFO('"' << garbage << '"');
    CHECK_FALSE(parse_retry_after(garbage, now).has_value());
  }
}
