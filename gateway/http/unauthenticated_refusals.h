#pragma once
// Refusals made before a caller is known (401 without a valid token, a path no route has, a body
// over the limit from no one in particular, 429 once an address's bucket is empty) are audited as
// one record per source address and minute, `http.unauthenticated_refusals`, rather than one
// fsync'd record each: anyone can send them, so one record each would let anyone write into the
// hash chain as fast as they can send. The aggregate still says who (the address), when (the
// minute, the first and last refusal), how many and on which routes, which is what an auditor
// needs to see a scan or a token guessed at.
//
// Authenticated refusals stay one record each (Exchange::refuse): they name a client, so their
// rate is the client's and is bounded by that client's quotas, not by anyone on the network.
//
// An aggregate is appended when its minute has closed (flush_closed, run by a timer on the event
// loop) and at a clean stop (flush_all), so nothing counted is lost. At most `max_addresses`
// aggregates are open at once; a new one past the cap appends the oldest early.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_log.h"
#include "config/gateway_config.h"

namespace knutpunkt::http {

using WallClock = std::function<std::chrono::system_clock::time_point()>;

inline constexpr const char* kUnauthenticatedRefusalsKind = "http.unauthenticated_refusals";

class UnauthenticatedRefusals {
 public:
  // `audit` must outlive this.
  UnauthenticatedRefusals(
      AuditLog& audit, UnauthenticatedConfig config, WallClock clock = [] { return std::chrono::system_clock::now(); });
  UnauthenticatedRefusals(const UnauthenticatedRefusals&) = delete;
  UnauthenticatedRefusals& operator=(const UnauthenticatedRefusals&) = delete;

  // One refusal of a request from `address` on `route` ("GET /v1/events"), answered `status`.
  // Thread-safe; never blocks on the disk.
  void count(const std::string& address, const std::string& route, unsigned status);

  // Appends every aggregate whose minute has ended.
  void flush_closed();
  // Appends every aggregate, the current minute's too (a clean stop).
  void flush_all();

  std::size_t open_aggregates() const;

 private:
  struct Aggregate {
    std::chrono::system_clock::time_point first;
    std::chrono::system_clock::time_point last;
    std::uint64_t count = 0;
    std::map<std::pair<std::string, unsigned>, std::uint64_t> by_route;  // (route, status) -> count
    std::uint64_t other_routes = 0;  // refusals on routes past max_routes_per_aggregate
  };
  // Ordered by minute first, so the oldest aggregate is the first.
  using Key = std::pair<std::chrono::sys_seconds, std::string>;
  using Closed = std::vector<std::pair<Key, Aggregate>>;

  void append(Closed closed, bool early);

  AuditLog& audit_;
  const UnauthenticatedConfig config_;
  const WallClock clock_;
  mutable std::mutex mutex_;
  std::map<Key, Aggregate> open_;
};

}  // namespace knutpunkt::http
