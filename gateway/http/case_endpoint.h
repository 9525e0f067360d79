#pragma once
// Case systems register their cases and households (PUT /v1/cases/{case_id}) and read them back
// (GET). The rules of a case are the registry's (cases/case_registry.h); this edge reads the
// request, names every invalid field, and answers once the record is durable. Closing a case
// (with the case system's reason) withdraws its active referrals in the same commit, so
// Jobbtorg is told through the outbox, after each referral.
#include "cases/case_registry.h"
#include "http/exchange.h"
#include "referral/referral_changes.h"

namespace knutpunkt::http {

inline constexpr std::size_t kMaxHousehold = 20;

class CaseEndpoint {
 public:
  CaseEndpoint(CaseRegistry& cases, ReferralChanges& referrals) : cases_(cases), referrals_(referrals) {}

  // Guard: case systems.
  void put(Exchange exchange);
  void get(Exchange exchange);

 private:
  CaseRegistry& cases_;
  ReferralChanges& referrals_;
};

}  // namespace knutpunkt::http
