#pragma once
// The manual-handling queue for operators: GET /v1/manual-handling (status=open|resolved|all,
// after=<item id>, limit) and POST /v1/manual-handling/{id}/resolve ({"note": "..."}). The queue's
// rules are manual_handling/manual_queue.h; this edge reads the request and answers once the
// record is durable.
#include "http/exchange.h"
#include "manual_handling/manual_queue.h"

namespace knutpunkt::http {

class ManualHandlingEndpoint {
 public:
  explicit ManualHandlingEndpoint(ManualQueue& queue) : queue_(queue) {}

  // Guard: operators.
  void list(Exchange exchange);
  void resolve(Exchange exchange);

 private:
  ManualQueue& queue_;
};

}  // namespace knutpunkt::http
