#pragma once
// POST /v1/lookups/{adapter}: authenticate the client, validate the request, pass it through the
// policy step (authorization/exchange_authorizer.h), hand the authorized lookup to the lookup
// service, and render its answer. Every refusal is audited with its reason and answered only once
// its audit record is durable, like an answer.
#include "audit/audit_log.h"
#include "authorization/exchange_authorizer.h"
#include "config/gateway_config.h"
#include "http/client_auth.h"
#include "http/message.h"
#include "lookup/lookup_service.h"

#include <string>

namespace knutpunkt::http {

class LookupEndpoint {
 public:
  LookupEndpoint(LookupService& lookups, const authorization::ExchangeAuthorizer& authorizer, AuditLog& audit,
                 const ClientAuth& auth);

  void handle(const std::string& adapter_name, Request&& request, const RequestContext& context, Reply reply);
  void refuse_oversize(const Request& header, const RequestContext& context, Reply reply);

 private:
  struct Refusal;
  void refuse(Refusal refusal, Reply reply);

  LookupService& lookups_;
  const authorization::ExchangeAuthorizer& authorizer_;
  AuditLog& audit_;
  const ClientAuth& auth_;
};

nlohmann::json to_json(const LookupAnswer& answer);

}  // namespace knutpunkt::http
