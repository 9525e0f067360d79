#pragma once
// The consent registry's API (12 kap. OSL): POST /v1/consents records a consent, DELETE
// /v1/consents/{id} withdraws it, GET /v1/consents?person_id= lists a person's consents. Case
// systems only; each sees and withdraws the consents it recorded. Every change and read is
// audited, refusals included.
#include <functional>
#include <set>
#include <vector>
#include <string>

#include "audit/audit_log.h"
#include "http/client_auth.h"
#include "http/message.h"
#include "store/store.h"

namespace knutpunkt::http {

// Commits a withdrawal (its audit record and writes). The default appends to the audit log; the
// SIP coordinator takes a SIP consent's withdrawal, so that every plan under it records the
// withdrawal and its participants are told, in the same transaction.
using ConsentWithdrawalCommit =
    std::function<void(const ConsentRecord& consent, const std::string& withdrawn_by, std::string kind,
                       nlohmann::json audit_body, std::vector<StoreWrite> writes, AuditLog::OnDurable done)>;

class ConsentEndpoint {
 public:
  // `partners`: the configured adapter names a consent may name.
  ConsentEndpoint(Store& store, AuditLog& audit, const ClientAuth& auth, std::set<std::string> partners,
                  ConsentWithdrawalCommit commit_withdrawal = {})
      : store_(store),
        audit_(audit),
        auth_(auth),
        partners_(std::move(partners)),
        commit_withdrawal_(std::move(commit_withdrawal)) {}

  void record(Request&& request, const RequestContext& context, Reply reply);
  void withdraw(const std::string& consent_id, Request&& request, const RequestContext& context, Reply reply);
  void list(Request&& request, const RequestContext& context, Reply reply);

 private:
  Store& store_;
  AuditLog& audit_;
  const ClientAuth& auth_;
  std::set<std::string> partners_;
  ConsentWithdrawalCommit commit_withdrawal_;
};

// The consent as the API shows it, with its state at `now`: in_force, not_yet_valid, expired, withdrawn.
nlohmann::json consent_view(const ConsentRecord& consent, std::chrono::system_clock::time_point now);

}  // namespace knutpunkt::http
