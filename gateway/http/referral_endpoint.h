#pragma once
// POST /v1/referrals (a case system refers a person to Jobbtorg) and GET /v1/referrals/{id}. A
// referral is routed, then held to the policy step (operation "referral", purpose, the
// destination's policy, an open case with the person in its household, and a consent in the
// registry that this client recorded for Jobbtorg about the person, in force now) before it is
// accepted. The case system that sent it then changes it (PATCH), withdraws it, and tells Jobbtorg
// its decisions resting on the person's attendance.
#include <string>

#include "audit/audit_log.h"
#include "authorization/exchange_authorizer.h"
#include "config/gateway_config.h"
#include "delivery/delivery_engine.h"
#include "http/exchange.h"
#include "http/idempotency.h"
#include "http/message.h"
#include "referral/referral_changes.h"
#include "referral/referral_service.h"

namespace knutpunkt::http {

class ReferralEndpoint {
 public:
  ReferralEndpoint(ReferralService& referrals, ReferralChanges& changes,
                   const authorization::ExchangeAuthorizer& authorizer, Store& store);

  // Guard: case systems.
  void create(Exchange exchange);
  // Guard: case systems; each changes only its own referrals.
  void change(Exchange exchange);
  void withdraw(Exchange exchange);
  void decide(Exchange exchange);
  void assess(Exchange exchange);
  // Guard: any signed-in client; each sees only its own referrals.
  void show(Exchange exchange);

 private:
  // Commits a prepared change, answering 202 with `answer` (200 when nothing changed), under the
  // idempotency `key` when one was given.
  void commit_change(Exchange& exchange, std::expected<PreparedReferralChange, Failure> prepared,
                     const std::string& key, const std::string& fingerprint, nlohmann::json answer);

  ReferralService& referrals_;
  ReferralChanges& changes_;
  const authorization::ExchangeAuthorizer& authorizer_;
  Store& store_;
  IdempotencyKeys keys_;
};

}  // namespace knutpunkt::http
