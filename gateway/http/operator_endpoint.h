#pragma once
// Operators watch and repair delivery: GET /v1/messages/{id} (status and attempt history),
// GET /v1/dead-letters (filters: destination, after, limit), POST /v1/dead-letters/{id}/replay.
// Operators see no payloads here: they need to know what failed and why, not about whom. Every
// read and every refusal is audited, like everything done with a role (issue 6).
#include "audit/audit_log.h"
#include "delivery/delivery_engine.h"
#include "http/exchange.h"
#include "http/message.h"
#include "store/store.h"

namespace knutpunkt::http {

class OperatorEndpoint {
 public:
  OperatorEndpoint(delivery::DeliveryEngine& engine, Store& store) : engine_(engine), store_(store) {}

  // Guard: operators.
  void message(Exchange exchange);
  void dead_letters(Exchange exchange);
  void replay(Exchange exchange);

 private:
  // Answers `answer` once the read is on record as `kind` with `body` (the operator added).
  static void audited_answer(Exchange exchange, const std::string& kind, nlohmann::json body, Response answer);

  delivery::DeliveryEngine& engine_;
  Store& store_;
};

}  // namespace knutpunkt::http
