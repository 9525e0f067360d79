#pragma once
// POST /v1/referrals (a case system refers a person to Jobbtorg) and GET /v1/referrals/{id}.
#include <map>
#include <string>

#include "audit/audit_log.h"
#include "config/gateway_config.h"
#include "delivery/delivery_engine.h"
#include "http/client_auth.h"
#include "http/idempotency.h"
#include "http/server.h"
#include "referral/referral_service.h"

namespace knutpunkt::http {

class ReferralEndpoint {
 public:
  ReferralEndpoint(ReferralService& referrals, Store& store, AuditLog& audit, const ClientAuth& auth,
                   std::map<std::string, PurposeConfig> purposes);

  void create(Request&& request, const RequestContext& context, Reply reply);
  void show(const std::string& referral_id, Request&& request, Reply reply);

 private:
  ReferralService& referrals_;
  Store& store_;
  AuditLog& audit_;
  const ClientAuth& auth_;
  std::map<std::string, PurposeConfig> purposes_;
  IdempotencyKeys keys_;
};

}  // namespace knutpunkt::http
