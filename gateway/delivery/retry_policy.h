#pragma once
// When to try a delivery again, and when to give up. Per destination, from config
// (/adapters/*/delivery/retry, /webhooks/*/delivery/retry).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace knutpunkt::delivery {

// What one attempt came to, before the policy decides what follows.
enum class AttemptClass {
  delivered,  // 2xx
  retryable,  // timeout, connection error, 408, 429, 5xx
  final,      // any other status: the receiver refuses this message; trying again cannot help
};

// 408 and 429 are the receiver saying "not now", not "never"; every other 4xx is about the
// message itself. 3xx is final too: a partner endpoint that redirects is misconfigured.
AttemptClass classify_status(unsigned http_status);

struct RetryPolicy {
  int max_attempts = 20;                            // per cycle (acceptance or replay)
  std::chrono::milliseconds max_age{std::chrono::hours{72}};// since acceptance or replay
  std::chrono::milliseconds initial_backoff{1000};
  double multiplier = 2.0;
  std::chrono::milliseconds max_backoff{std::chrono::minutes{10}};// the cap on one wait
  double jitter = 0.2;                              // each wait is scaled by a random factor in [1-j, 1+j]
  std::chrono::milliseconds max_retry_after{std::chrono::hours{1}};// a partner's Retry-After is honoured up to this

  // The wait before attempt number `failed_attempts + 1`, after `failed_attempts` (>= 1) failed.
  // `random01` in [0, 1) supplies the jitter, so tests can pin it.
  std::chrono::milliseconds backoff(int failed_attempts, double random01) const;
};

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds wait{0};  // when retry
  std::string reason;                 // when not: "final_status", "max_attempts", "max_age"
};

// Decides after a failed attempt. `cycle_attempts` counts this attempt; `age` is the time since
// the cycle started; `retry_after` is the receiver's own wish, already parsed.
RetryDecision decide(const RetryPolicy& policy, AttemptClass outcome, int cycle_attempts,
                     std::chrono::milliseconds age, std::optional<std::chrono::milliseconds> retry_after,
                     double random01);

// Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date; nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                          std::chrono::system_clock::time_point now);

}  // namespace knutpunkt::delivery
