#pragma once
// Per-destination delivery figures, rendered in the Prometheus text exposition format
// (https://prometheus.io/docs/instrumenting/exposition_formats/). Destination names are
// configuration, never personal data.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace knutpunkt::delivery {

// Cumulative histogram with fixed buckets in seconds.
struct Histogram {
  static constexpr std::array<double, 12> kBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 600};
  std::array<std::uint64_t, kBounds.size()> buckets{};  // non-cumulative counts per bound
  std::uint64_t count = 0;
  double sum = 0;
  void observe(double seconds);
};

struct DestinationMetrics {
  std::string destination;
  std::uint64_t accepted = 0;       // messages scheduled for it
  std::uint64_t delivered = 0;
  std::uint64_t retried = 0;        // failed attempts that will be tried again
  std::uint64_t dead_lettered = 0;
  std::uint64_t replayed = 0;
  std::uint64_t withheld = 0;       // not sent after all: the consent they were sent under ended
  std::uint64_t queue_depth = 0;    // pending, including in flight and those held behind a dead letter
  std::uint64_t in_flight = 0;
  double oldest_pending_age_seconds = 0;
  int breaker_state = 0;            // 0 closed, 1 half-open, 2 open
  Histogram delivery_latency;       // acceptance (or replay) to delivered
  Histogram attempt_duration;       // one HTTP exchange
};

std::string render_prometheus(const std::vector<DestinationMetrics>& destinations);

}  // namespace knutpunkt::delivery
