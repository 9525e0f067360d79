#pragma once
// GET /readyz: ready when the store answered and every adapter's partner answered its readiness
// ping at the last check. The checks run in the background (refresh(), every
// "server.readiness_refresh_ms", concurrently, each ping under a short deadline); the request
// only reads their last answers and says how old they are, so however often /readyz is called,
// partners see one ping per interval. Before the first check has answered, a request waits for
// it. Which partner is down is for operators: the route takes the operator role. The answer also
// says whether the port serves TLS or plain HTTP, and warns of certificates near their expiry.
#include <chrono>
#include <functional>

#include "core/io_context_fwd.h"
#include "http/message.h"
#include "http/readiness_cache.h"
#include "http/transport_status.h"
#include "lookup/lookup_service.h"
#include "store/store.h"

namespace knutpunkt::http {

class ReadinessEndpoint {
 public:
  ReadinessEndpoint(boost::asio::io_context& io, Store& store, LookupService& lookups,
                    std::chrono::milliseconds refresh_every, TransportStatus transport = {},
                    std::chrono::milliseconds deadline = std::chrono::milliseconds{2000},
                    ReadinessCache::Clock clock = &std::chrono::steady_clock::now);

  // Checks the store and pings every adapter's partner; `done` once every check has answered.
  void refresh(std::function<void()> done);
  // Answers from the last checks; never pings a partner.
  void handle(Reply reply);

 private:
  boost::asio::io_context& io_;
  Store& store_;
  LookupService& lookups_;
  std::chrono::milliseconds deadline_;
  // A check older than this is not trusted: refreshes should have replaced it several times.
  std::chrono::milliseconds stale_after_;
  ReadinessCache::Clock clock_;
  ReadinessCache cache_;
  TransportStatus transport_;
};

}  // namespace knutpunkt::http
