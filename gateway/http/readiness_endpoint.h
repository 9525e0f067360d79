#pragma once
// GET /readyz: ready when the store answers and every adapter's partner answers its readiness
// ping within a short deadline. The checks run concurrently; nothing blocks the event loop. Each
// check's answer is reused for `cache_for` (config "server.readiness_cache_ms"), and callers while
// a check runs share it, so calls to /readyz never multiply the pings partners see. Which partner
// is down is for operators: the route takes the operator role. The answer also says whether the
// port serves TLS or plain HTTP, and warns of certificates near their expiry.
#include <chrono>

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
                    std::chrono::milliseconds cache_for, TransportStatus transport = {},
                    std::chrono::milliseconds deadline = std::chrono::milliseconds{2000});
  void handle(Reply reply);

 private:
  boost::asio::io_context& io_;
  Store& store_;
  LookupService& lookups_;
  std::chrono::milliseconds deadline_;
  ReadinessCache cache_;
  TransportStatus transport_;
};

}  // namespace knutpunkt::http
