#include "delivery/delivery_metrics.h"

#include <catch2/catch.hpp>
#include <optional>
#include <sstream>

using namespace knutpunkt::delivery;

namespace {

// The value of the sample line that starts with `series` followed by a space.
std::optional<std::string> sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return line.substr(series.size() + 1);
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("a histogram counts each observation once, in the first bucket whose bound it does not exceed") {
  Histogram h;
  h.observe(0.001);
  h.observe(0.005);  // on the bound: le is inclusive
  h.observe(0.3);
  h.observe(1000);   // beyond the last bound: only in +Inf
  CHECK(h.count == 4);
  CHECK(h.sum == Approx(1000.306));
  CHECK(h.buckets[0] == 2);
  CHECK(h.buckets[6] == 1);  // 0.5
  std::uint64_t in_buckets = 0;
  for (auto b : h.buckets) in_buckets += b;
  CHECK(in_buckets == 3);
}

TEST_CASE("the Prometheus text has one sample per destination and cumulative histogram buckets") {
  DestinationMetrics a;
  a.destination = "jobbtorg-sodra";
  a.accepted = 7;
  a.delivered = 5;
  a.retried = 3;
  a.dead_lettered = 1;
  a.queue_depth = 1;
  a.breaker_state = 2;
  a.attempt_duration.observe(0.004);
  a.attempt_duration.observe(0.02);
  a.attempt_duration.observe(0.02);
  DestinationMetrics b;
  b.destination = "odd\"name";

  const std::string text = render_prometheus({a, b});
  CHECK(text.find("# TYPE knutpunkt_delivery_delivered_total counter") != std::string::npos);
  CHECK(sample(text, R"(knutpunkt_delivery_accepted_total{destination="jobbtorg-sodra"})") == "7");
  CHECK(sample(text, R"(knutpunkt_delivery_delivered_total{destination="jobbtorg-sodra"})") == "5");
  CHECK(sample(text, R"(knutpunkt_delivery_dead_lettered_total{destination="jobbtorg-sodra"})") == "1");
  CHECK(sample(text, R"(knutpunkt_delivery_breaker_state{destination="jobbtorg-sodra"})") == "2");
  CHECK(sample(text, R"(knutpunkt_delivery_delivered_total{destination="odd\"name"})") == "0");

  const std::string d = R"(destination="jobbtorg-sodra")";
  CHECK(sample(text, "knutpunkt_delivery_attempt_duration_seconds_bucket{" + d + R"(,le="0.005"})") == "1");
  CHECK(sample(text, "knutpunkt_delivery_attempt_duration_seconds_bucket{" + d + R"(,le="0.01"})") == "1");
  CHECK(sample(text, "knutpunkt_delivery_attempt_duration_seconds_bucket{" + d + R"(,le="0.025"})") == "3");
  CHECK(sample(text, "knutpunkt_delivery_attempt_duration_seconds_bucket{" + d + R"(,le="600"})") == "3");
  CHECK(sample(text, "knutpunkt_delivery_attempt_duration_seconds_bucket{" + d + R"(,le="+Inf"})") == "3");
  CHECK(sample(text, "knutpunkt_delivery_attempt_duration_seconds_count{" + d + "}") == "3");
}

TEST_CASE("counters above a million are printed as exact integers, sums as exact decimals") {
  DestinationMetrics a;
  a.destination = "busy";
  a.accepted = 1'234'567;
  a.delivered = 18'446'744'073'709'551'615ULL;
  a.queue_depth = 2'000'001;
  a.delivery_latency.observe(0.1234567891);
  const std::string text = render_prometheus({a});
  CHECK(sample(text, R"(knutpunkt_delivery_accepted_total{destination="busy"})") == "1234567");
  CHECK(sample(text, R"(knutpunkt_delivery_delivered_total{destination="busy"})") == "18446744073709551615");
  CHECK(sample(text, R"(knutpunkt_delivery_queue_depth{destination="busy"})") == "2000001");
  CHECK(sample(text, R"(knutpunkt_delivery_latency_seconds_sum{destination="busy"})") == "0.1234567891");
}
