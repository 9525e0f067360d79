#pragma once
// A circuit breaker per destination: after enough consecutive failures it stops sending (open),
// after a while lets one probe through (half-open), and closes again when the probe succeeds.
// It keeps knutpunkt from hammering a partner that is down, and from spending every message's
// retry budget during an outage it already knows about. Not thread-safe: the delivery engine
// calls it from its own strand.
#include <chrono>
#include <string_view>

namespace knutpunkt::delivery {

struct BreakerSettings {
  int failure_threshold = 5;                // consecutive failed attempts that open the circuit
  std::chrono::milliseconds open_for{30000};  // before a probe is allowed
};

enum class BreakerState { closed, open, half_open };
std::string_view to_string(BreakerState state);

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  explicit CircuitBreaker(BreakerSettings settings = {}) : settings_(settings) {}

  // May an attempt start now? In half-open, only one probe at a time is allowed; the caller
  // must report its outcome with record_success or record_failure.
  bool try_acquire(Clock::time_point now);

  void record_success();
  void record_failure(Clock::time_point now);
  // The attempt ended without saying anything about the destination's health (e.g. a message it
  // refused as malformed): a half-open probe slot is freed, nothing else changes.
  void record_neutral();

  BreakerState state(Clock::time_point now) const;
  // When an open circuit lets its probe through.
  Clock::time_point reopens_at() const { return opened_at_ + settings_.open_for; }
  int consecutive_failures() const { return failures_; }

 private:
  BreakerSettings settings_;
  BreakerState state_ = BreakerState::closed;
  int failures_ = 0;
  bool probe_in_flight_ = false;
  Clock::time_point opened_at_{};
};

}  // namespace knutpunkt::delivery
