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

// How this instance shares the outbox with the other instances on the same store: it delivers
// only the keys it holds a lease on (store/delivery_lease_store.h).
struct LeaseSettings {
  std::string holder;                       // this instance's id; empty: default_instance_id()
  std::chrono::milliseconds length{30000};  // how long a lease lasts unless renewed
  std::chrono::milliseconds tick{0};        // renewal and takeover period; zero: a third of length
  int takeover_batch = 100;                 // keys looked at per store read when taking over
};

// Host name, process id and 8 random hex digits: unique per process, so a restarted process
// never mistakes the leases of the one before for its own.
std::string default_instance_id();

}  // namespace knutpunkt::delivery
