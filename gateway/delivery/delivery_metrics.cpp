#include "delivery/delivery_metrics.h"

#include <charconv>
#include <functional>

#include "core/prometheus_label.h"

namespace knutpunkt::delivery {
namespace {

// Counters and gauges that count things are printed as exact integers: a float format rounds
// every count above a million and a scraper would see a counter stand still or go back.
std::string number(std::uint64_t v) {
  return std::to_string(v);
}
std::string number(int v) {
  return std::to_string(v);
}

// Sums and ages in seconds: the shortest text that reads back as the same double.
std::string number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string("NaN");
}

}  // namespace

void Histogram::observe(double seconds) {
  ++count;
  sum += seconds;
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      ++buckets[i];
      return;
    }
  }
}

std::string render_prometheus(const std::vector<DestinationMetrics>& destinations) {
  std::string out;
  const auto family = [&](const char* name, const char* type, const char* help, const auto& value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& d : destinations) {
      out += std::string(name) + "{destination=\"" + prometheus_label(d.destination) + "\"} " + number(value(d)) + "\n";
    }
  };
  family("knutpunkt_delivery_accepted_total", "counter", "Messages accepted for delivery.",
         [](const auto& d) { return d.accepted; });
  family("knutpunkt_delivery_delivered_total", "counter", "Messages delivered (receiver answered 2xx).",
         [](const auto& d) { return d.delivered; });
  family("knutpunkt_delivery_retried_total", "counter", "Failed attempts that will be tried again.",
         [](const auto& d) { return d.retried; });
  family("knutpunkt_delivery_dead_lettered_total", "counter", "Messages moved to the dead-letter queue.",
         [](const auto& d) { return d.dead_lettered; });
  family("knutpunkt_delivery_replayed_total", "counter", "Dead letters replayed by an operator.",
         [](const auto& d) { return d.replayed; });
  family("knutpunkt_delivery_withheld_total", "counter",
         "Messages not sent after all, because the consent they were sent under was withdrawn.",
         [](const auto& d) { return d.withheld; });
  family("knutpunkt_delivery_queue_depth", "gauge", "Messages not yet delivered (dead letters excluded).",
         [](const auto& d) { return d.queue_depth; });
  family("knutpunkt_delivery_in_flight", "gauge", "Attempts under way.", [](const auto& d) { return d.in_flight; });
  family("knutpunkt_delivery_oldest_pending_age_seconds", "gauge", "Age of the oldest undelivered message.",
         [](const auto& d) { return d.oldest_pending_age_seconds; });
  family("knutpunkt_delivery_breaker_state", "gauge", "Circuit breaker: 0 closed, 1 half-open, 2 open.",
         [](const auto& d) { return d.breaker_state; });

  const auto histogram = [&](const char* name, const char* help, Histogram DestinationMetrics::*member) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " histogram\n";
    for (const auto& d : destinations) {
      const Histogram& h = d.*member;
      const std::string dest = "destination=\"" + prometheus_label(d.destination) + "\"";
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i) {
        cumulative += h.buckets[i];
        out += std::string(name) + "_bucket{" + dest + ",le=\"" + number(Histogram::kBounds[i]) + "\"} " +
               std::to_string(cumulative) + "\n";
      }
      out += std::string(name) + "_bucket{" + dest + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
      out += std::string(name) + "_sum{" + dest + "} " + number(h.sum) + "\n";
      out += std::string(name) + "_count{" + dest + "} " + std::to_string(h.count) + "\n";
    }
  };
  histogram("knutpunkt_delivery_latency_seconds", "From acceptance (or replay) to delivery.",
            &DestinationMetrics::delivery_latency);
  histogram("knutpunkt_delivery_attempt_duration_seconds", "Duration of one delivery attempt.",
            &DestinationMetrics::attempt_duration);
  return out;
}

}  // namespace knutpunkt::delivery
