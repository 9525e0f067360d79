#pragma once
// The consent registry's API (12 kap. OSL): POST /v1/consents records a consent, DELETE
// /v1/consents/{id} withdraws it, GET /v1/consents?person_id= lists a person's consents. Case
// systems only; each sees and withdraws the consents it recorded. Every change and read is
// audited, refusals included.
#include <set>
#include <string>

#include "audit/audit_log.h"
#include "http/client_auth.h"
#include "http/server.h"
#include "store/store.h"

namespace knutpunkt::http {

class ConsentEndpoint {
 public:
  // `partners`: the configured adapter names a consent may name.
  ConsentEndpoint(Store& store, AuditLog& audit, const ClientAuth& auth, std::set<std::string> partners)
      : store_(store), audit_(audit), auth_(auth), partners_(std::move(partners)) {}

  void record(Request&& request, const RequestContext& context, Reply reply);
  void withdraw(const std::string& consent_id, Request&& request, const RequestContext& context, Reply reply);
  void list(Request&& request, const RequestContext& context, Reply reply);

 private:
  Store& store_;
  AuditLog& audit_;
  const ClientAuth& auth_;
  std::set<std::string> partners_;
};

// The consent as the API shows it, with its state at `now`: in_force, not_yet_valid, expired, withdrawn.
nlohmann::json consent_view(const ConsentRecord& consent, std::chrono::system_clock::time_point now);

}  // namespace knutpunkt::http
