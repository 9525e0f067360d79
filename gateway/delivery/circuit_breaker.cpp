#include "delivery/circuit_breaker.h"

namespace knutpunkt::delivery {

std::string_view to_string(BreakerState state) {
  switch (state) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::open:
      return "open";
    case BreakerState::half_open:
      return "half_open";
  }
  return "closed";
}

bool CircuitBreaker::try_acquire(Clock::time_point now) {
  switch (state_) {
    case BreakerState::closed:
      return true;
    case BreakerState::open:
      if (now < reopens_at()) return false;
      state_ = BreakerState::half_open;
      probe_in_flight_ = true;
      return true;
    case BreakerState::half_open:
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::record_success() {
  state_ = BreakerState::closed;
  failures_ = 0;
  probe_in_flight_ = false;
}

void CircuitBreaker::record_failure(Clock::time_point now) {
  ++failures_;
  probe_in_flight_ = false;
  // A failed probe reopens at once; in the closed state it takes the threshold.
  if (state_ == BreakerState::half_open || (state_ == BreakerState::closed && failures_ >= settings_.failure_threshold)) {
    state_ = BreakerState::open;
    opened_at_ = now;
  }
}

void CircuitBreaker::record_neutral() {
  probe_in_flight_ = false;
}

BreakerState CircuitBreaker::state(Clock::time_point now) const {
  if (state_ == BreakerState::open && now >= reopens_at()) return BreakerState::half_open;
  return state_;
}

}  // namespace knutpunkt::delivery
