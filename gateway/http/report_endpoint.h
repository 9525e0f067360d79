#pragma once
// POST /v1/partners/{adapter}/reports: a partner (Jobbtorg) reports back about a referral.
#include <map>
#include <string>

#include "audit/audit_log.h"
#include "core/inbound_adapter.h"
#include "http/client_auth.h"
#include "http/server.h"
#include "referral/referral_service.h"

namespace knutpunkt::http {

class ReportEndpoint {
 public:
  ReportEndpoint(ReferralService& referrals, AuditLog& audit, const ClientAuth& auth,
                 std::map<std::string, const InboundAdapter*> adapters);

  void handle(const std::string& adapter, Request&& request, const RequestContext& context, Reply reply);

 private:
  ReferralService& referrals_;
  AuditLog& audit_;
  const ClientAuth& auth_;
  std::map<std::string, const InboundAdapter*> adapters_;
};

}  // namespace knutpunkt::http
