#pragma once
// Operators watch and repair delivery: GET /v1/messages/{id} (status and attempt history),
// GET /v1/dead-letters (filters: destination, after, limit), POST /v1/dead-letters/{id}/replay.
// Operators see no payloads here: they need to know what failed and why, not about whom. Every
// read and every refusal is audited, like everything done with a role (issue 6).
#include "audit/audit_log.h"
#include "delivery/delivery_engine.h"
#include "http/client_auth.h"
#include "http/message.h"
#include "store/store.h"

namespace knutpunkt::http {

class OperatorEndpoint {
 public:
  OperatorEndpoint(delivery::DeliveryEngine& engine, Store& store, AuditLog& audit, const ClientAuth& auth)
      : engine_(engine), store_(store), audit_(audit), auth_(auth) {}

  void message(const std::string& id, Request&& request, Reply reply);
  void dead_letters(Request&& request, Reply reply);
  void replay(const std::string& id, Request&& request, Reply reply);

 private:
  const ClientConfig* authorise(const Request& request, Reply& reply);
  // Replies `answer` once the read is on record as `kind` with `body` (the operator added).
  void audited_answer(const ClientConfig& who, const std::string& kind, nlohmann::json body, Response answer, Reply reply);

  delivery::DeliveryEngine& engine_;
  Store& store_;
  AuditLog& audit_;
  const ClientAuth& auth_;
};

}  // namespace knutpunkt::http
