#pragma once
// Requests per route and status, and how long they took per route, for /metrics:
//   knutpunkt_http_requests_total{route,method,status}
//   knutpunkt_http_request_duration_seconds{route,method} (a histogram)
// `route` is the route table's pattern ("/v1/referrals/{referral_id}"), never the path as sent:
// paths carry ids, and a label per id would make a series per person and grow without bound. A
// request no route takes is counted as route="unmatched" under its method (Beast's fixed set).
//
// Every figure is an atomic integer in a slot laid out when the gateway starts, so counting takes
// no lock and no allocation, and counts are exact. Kept by hand rather than with prometheus-cpp:
// Debian 12's prometheus-cpp-dev pulls in civetweb, libcurl and the push and pull libraries, its
// CMake package requires them even for the core alone, and its histogram takes a mutex per
// observation.
#include <array>
#include <atomic>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/route_table.h"

namespace knutpunkt::http {

class RequestMetrics {
 public:
  // Upper bounds of the duration buckets, in seconds: 5 ms to 10 s (a lookup's whole deadline).
  static constexpr std::array<double, 11> kBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  // Which series a request is counted in: one per route of the table it was made for, and one per
  // method for requests no route takes.
  class Series {
   public:
    static Series route(std::size_t index) { return Series(true, index); }
    static Series unmatched(boost::beast::http::verb method) { return Series(false, static_cast<std::size_t>(method)); }

   private:
    Series(bool matched, std::size_t index) : matched_(matched), index_(index) {}
    bool matched_;
    std::size_t index_;  // the route's place in the table, or the method
    friend class RequestMetrics;
  };

  // A series for each route of `routes`, in the table's order (RouteTable::Match::index).
  explicit RequestMetrics(const RouteTable& routes);

  // Whether the series were laid out for a table with these routes (method and pattern, in order).
  bool describes(const RouteTable& routes) const;

  // Counts one answered request. From any thread.
  void record(Series series, unsigned status, std::chrono::steady_clock::duration elapsed);

  // Prometheus text format, the series that have counted a request, in the table's order and
  // then the unmatched ones.
  std::string render_prometheus() const;

 private:
  static constexpr unsigned kFirstStatus = 100;
  static constexpr unsigned kStatuses = 500;  // 100 to 599; anything else is counted as "other"

  struct Slot {
    std::string route;
    std::string method;
    std::array<std::atomic<std::uint64_t>, kStatuses + 1> by_status{};
    std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets{};  // not cumulative; last: over 10 s
    std::atomic<std::uint64_t> nanoseconds{0};
  };

  Slot& slot(Series series);

  std::size_t routes_ = 0;
  // unique_ptr: atomics do not move, and the vector is sized once.
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace knutpunkt::http
