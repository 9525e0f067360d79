#pragma once
// POST /v1/lookups/{adapter}: authenticate the client, validate the request, pass it through the
// policy step (authorization/exchange_authorizer.h), hand the authorized lookup to the lookup
// service, and render its answer. Every refusal is audited with its reason and answered only once
// its audit record is durable, like an answer.
#include <string>

#include "audit/audit_log.h"
#include "authorization/exchange_authorizer.h"
#include "config/gateway_config.h"
#include "http/exchange.h"
#include "http/message.h"
#include "lookup/lookup_service.h"

namespace knutpunkt::http {

class LookupEndpoint {
 public:
  LookupEndpoint(LookupService& lookups, const authorization::ExchangeAuthorizer& authorizer, AuditLog& audit);

  // Guard: case systems.
  void handle(Exchange exchange);
  // The route's refusal recorder: a lookup's refusal record carries a lookup id (the client can
  // cite it) and what the request asked, as far as it could be read.
  void refuse(Exchange& exchange, Problem problem);

 private:
  struct Refusal;
  void refuse(Exchange& exchange, Refusal refusal);

  LookupService& lookups_;
  const authorization::ExchangeAuthorizer& authorizer_;
  AuditLog& audit_;
};

// The answer's JSON body. It takes the answer's events and facts rather than copying them.
nlohmann::json to_json(LookupAnswer answer);

}  // namespace knutpunkt::http
