#pragma once
// How one destination is delivered to: its retry policy, its circuit breaker, the time one
// attempt may take and how many may be under way. Configuration reads these values
// (/adapters/*/delivery, /webhooks/*/delivery) without needing the engine that uses them.
#include <chrono>
#include <string>

#include "delivery/circuit_breaker.h"
#include "delivery/retry_policy.h"

namespace knutpunkt::delivery {

struct DestinationSettings {
  std::string name;
  RetryPolicy retry;
  BreakerSettings breaker;
  std::chrono::milliseconds timeout{10000};  // one attempt
  int max_in_flight = 8;
};

}  // namespace knutpunkt::delivery
