#pragma once
// Operators watch and repair delivery: GET /v1/messages/{id} (status and attempt history),
// GET /v1/dead-letters (filters: destination, after, limit), POST /v1/dead-letters/{id}/replay.
// Operators see no payloads here: they need to know what failed and why, not about whom. Every
// read and every refusal is audited, like everything done with a role.
#include "audit/audit_log.h"
#include "delivery/delivery_engine.h"
#include "delivery/outbox_view.h"
#include "http/exchange.h"
#include "http/message.h"
#include "store/store.h"

namespace knutpunkt::http {

class OperatorEndpoint {
 public:
  OperatorEndpoint(delivery::DeliveryEngine& engine, Store& store) : engine_(engine), view_(engine, store) {}

  // Guard: operators.
  void message(Exchange exchange);
  void dead_letters(Exchange exchange);
  void replay(Exchange exchange);

 private:
  delivery::DeliveryEngine& engine_;
  delivery::OutboxView view_;
};

}  // namespace knutpunkt::http
