#pragma once
// POST /v1/lookups/{adapter}: authenticate the client, validate the request, check the purpose,
// hand a typed query to the lookup service, and render its answer. Every refusal is audited and
// answered only once its audit record is durable, like an answer.
#include "audit/audit_log.h"
#include "config/gateway_config.h"
#include "http/client_auth.h"
#include "http/server.h"
#include "lookup/lookup_service.h"

#include <map>
#include <string>

namespace knutpunkt::http {

class LookupEndpoint {
 public:
  LookupEndpoint(LookupService& lookups, AuditLog& audit, const ClientAuth& auth,
                 std::map<std::string, PurposeConfig> purposes);

  void handle(const std::string& adapter_name, Request&& request, const RequestContext& context, Reply reply);
  void refuse_oversize(const Request& header, const RequestContext& context, Reply reply);

 private:
  struct Refusal;
  void refuse(Refusal refusal, Reply reply);

  LookupService& lookups_;
  AuditLog& audit_;
  const ClientAuth& auth_;
  std::map<std::string, PurposeConfig> purposes_;
};

nlohmann::json to_json(const LookupAnswer& answer);

}  // namespace knutpunkt::http
