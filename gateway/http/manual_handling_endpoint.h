#pragma once
// The manual-handling queue for operators: GET /v1/manual-handling (status=open|resolved|all,
// after=<item id>, limit) and POST /v1/manual-handling/{id}/resolve ({"note": "..."}). An item is
// an exchange the gateway held back (a protected person's referral): the operator handles it by
// another channel and records that here. Both are audited: the queue names cases, and resolving
// is an act someone answers for.
#include "audit/audit_log.h"
#include "http/client_auth.h"
#include "http/message.h"
#include "store/store.h"

namespace knutpunkt::http {

class ManualHandlingEndpoint {
 public:
  ManualHandlingEndpoint(Store& store, AuditLog& audit, const ClientAuth& auth)
      : store_(store), audit_(audit), auth_(auth) {}

  void list(Request&& request, const RequestContext& context, Reply reply);
  void resolve(const std::string& item_id, Request&& request, const RequestContext& context, Reply reply);

 private:
  const ClientConfig* require_operator(const Request& request, const std::string& refusal_kind,
                                       nlohmann::json& context, Reply& reply);

  Store& store_;
  AuditLog& audit_;
  const ClientAuth& auth_;
};

// The view operators get: what is held, for whom, why, and its resolution; never the person.
nlohmann::json to_json(const ManualItem& item);

}  // namespace knutpunkt::http
