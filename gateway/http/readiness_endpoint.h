#pragma once
// GET /readyz: ready when the store answers and every adapter's partner answers its readiness
// ping within a short deadline. The checks run concurrently; nothing blocks the event loop.
#include "core/io_context_fwd.h"
#include "http/message.h"
#include "lookup/lookup_service.h"
#include "store/store.h"

#include <chrono>

namespace knutpunkt::http {

class ReadinessEndpoint {
 public:
  ReadinessEndpoint(boost::asio::io_context& io, Store& store, LookupService& lookups,
                    std::chrono::milliseconds deadline = std::chrono::milliseconds{2000});
  void handle(Reply reply);

 private:
  boost::asio::io_context& io_;
  Store& store_;
  LookupService& lookups_;
  std::chrono::milliseconds deadline_;
};

}  // namespace knutpunkt::http
