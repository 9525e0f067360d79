#include "http/request_metrics.h"

#include <charconv>

#include "core/prometheus_label.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

// Beast's verbs are numbered from `unknown` (0) to `unlink`, its last.
constexpr std::size_t kVerbs = static_cast<std::size_t>(bhttp::verb::unlink) + 1;

std::string seconds(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string("NaN");
}

}  // namespace

RequestMetrics::RequestMetrics(const RouteTable& routes) : routes_(routes.size()) {
  slots_.reserve(routes_ + kVerbs);
  for (std::size_t i = 0; i < routes_; ++i) {
    const Route& route = routes.at(i);
    auto slot = std::make_unique<Slot>();
    slot->route = route.pattern;
    slot->method = std::string(bhttp::to_string(route.method));
    slots_.push_back(std::move(slot));
  }
  for (std::size_t verb = 0; verb < kVerbs; ++verb) {
    auto slot = std::make_unique<Slot>();
    slot->route = "unmatched";
    slot->method = std::string(bhttp::to_string(static_cast<bhttp::verb>(verb)));
    slots_.push_back(std::move(slot));
  }
}

bool RequestMetrics::describes(const RouteTable& routes) const {
  if (routes.size() != routes_) return false;
  for (std::size_t i = 0; i < routes_; ++i) {
    const Route& route = routes.at(i);
    if (slots_[i]->route != route.pattern || slots_[i]->method != bhttp::to_string(route.method)) return false;
  }
  return true;
}

RequestMetrics::Slot& RequestMetrics::slot(Series series) {
  if (series.matched_ && series.index_ < routes_) return *slots_[series.index_];
  // A method Beast does not know is its `unknown` verb (0); a route index past the table cannot
  // come from the table this was laid out for, and is counted with the unmatched.
  const std::size_t verb = !series.matched_ && series.index_ < kVerbs ? series.index_ : 0;
  return *slots_[routes_ + verb];
}

void RequestMetrics::record(Series series, unsigned status, std::chrono::steady_clock::duration elapsed) {
  Slot& s = slot(series);
  const std::size_t by_status =
      status >= kFirstStatus && status < kFirstStatus + kStatuses ? status - kFirstStatus : kStatuses;
  s.by_status[by_status].fetch_add(1, std::memory_order_relaxed);
  const double taken = std::chrono::duration<double>(elapsed).count();
  std::size_t bucket = 0;
  while (bucket < kBounds.size() && taken > kBounds[bucket]) ++bucket;
  s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
  s.nanoseconds.fetch_add(nanoseconds > 0 ? static_cast<std::uint64_t>(nanoseconds) : 0, std::memory_order_relaxed);
}

std::string RequestMetrics::render_prometheus() const {
  std::string counts =
      "# HELP knutpunkt_http_requests_total Requests answered, by route pattern, method and status.\n"
      "# TYPE knutpunkt_http_requests_total counter\n";
  std::string durations =
      "# HELP knutpunkt_http_request_duration_seconds From a request read to its answer handed to the "
      "connection, by route pattern and method.\n"
      "# TYPE knutpunkt_http_request_duration_seconds histogram\n";
  for (const auto& s : slots_) {
    // The buckets are read once, and the count is their sum, so +Inf and _count always agree.
    std::array<std::uint64_t, kBounds.size() + 1> buckets{};
    std::uint64_t count = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) count += buckets[i] = s->buckets[i].load();
    if (count == 0) continue;
    const std::string labels =
        "route=\"" + prometheus_label(s->route) + "\",method=\"" + prometheus_label(s->method) + "\"";
    for (std::size_t i = 0; i <= kStatuses; ++i) {
      const std::uint64_t n = s->by_status[i].load();
      if (n == 0) continue;
      const std::string status = i < kStatuses ? std::to_string(kFirstStatus + i) : "other";
      counts += "knutpunkt_http_requests_total{" + labels + ",status=\"" + status + "\"} " + std::to_string(n) + "\n";
    }
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
      cumulative += buckets[i];
      durations += "knutpunkt_http_request_duration_seconds_bucket{" + labels + ",le=\"" + seconds(kBounds[i]) +
                   "\"} " + std::to_string(cumulative) + "\n";
    }
    durations +=
        "knutpunkt_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(count) + "\n";
    durations += "knutpunkt_http_request_duration_seconds_sum{" + labels + "} " +
                 seconds(static_cast<double>(s->nanoseconds.load()) / 1e9) + "\n";
    durations += "knutpunkt_http_request_duration_seconds_count{" + labels + "} " + std::to_string(count) + "\n";
  }
  return counts + durations;
}

}  // namespace knutpunkt::http
