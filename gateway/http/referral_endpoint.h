#pragma once
// POST /v1/referrals (a case system refers a person to Jobbtorg) and GET /v1/referrals/{id}. A
// referral is routed, then held to the policy step (operation "referral", purpose, the
// destination's policy, an open case with the person in its household) before it is accepted.
#include <string>

#include "audit/audit_log.h"
#include "authorization/exchange_authorizer.h"
#include "config/gateway_config.h"
#include "delivery/delivery_engine.h"
#include "http/exchange.h"
#include "http/idempotency.h"
#include "http/message.h"
#include "referral/referral_service.h"

namespace knutpunkt::http {

class ReferralEndpoint {
 public:
  ReferralEndpoint(ReferralService& referrals, const authorization::ExchangeAuthorizer& authorizer, Store& store);

  // Guard: case systems.
  void create(Exchange exchange);
  // Guard: any signed-in client; each sees only its own referrals.
  void show(Exchange exchange);

 private:
  ReferralService& referrals_;
  const authorization::ExchangeAuthorizer& authorizer_;
  Store& store_;
  IdempotencyKeys keys_;
};

}  // namespace knutpunkt::http
