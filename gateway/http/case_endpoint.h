#pragma once
// Case systems register their cases and households (PUT /v1/cases/{case_id}) and read them back
// (GET). Lookups are scoped by them: an open case, a person in its household. Each client sees
// only its own cases; every change and read is audited.
#include "audit/audit_log.h"
#include "http/client_auth.h"
#include "http/message.h"
#include "store/store.h"

namespace knutpunkt::http {

inline constexpr std::size_t kMaxHousehold = 20;

class CaseEndpoint {
 public:
  CaseEndpoint(Store& store, AuditLog& audit, const ClientAuth& auth) : store_(store), audit_(audit), auth_(auth) {}

  void put(const std::string& case_id, Request&& request, const RequestContext& context, Reply reply);
  void get(const std::string& case_id, Request&& request, const RequestContext& context, Reply reply);

 private:
  Store& store_;
  AuditLog& audit_;
  const ClientAuth& auth_;
};

nlohmann::json case_view(const CaseRecord& c);

}  // namespace knutpunkt::http
