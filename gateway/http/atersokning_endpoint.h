#pragma once
// POST /v1/atersokningar: a case system asks Försäkringskassan, through the durable outbox, to pay
// a retroactive benefit to the nämnd (återsökning). Validated at the edge, routed, held to the
// policy step (operation "atersokning", purpose, the partner's period limit, case and household),
// and accepted (202) only once the request, its outbox message and its audit record are durable.
// Idempotency-Key works as for referrals.
#include <string>

#include "atersokning/atersokning_service.h"
#include "audit/audit_log.h"
#include "authorization/exchange_authorizer.h"
#include "http/exchange.h"
#include "http/idempotency.h"
#include "http/message.h"
#include "http/problem.h"

namespace knutpunkt::http {

struct AtersokningRequestParse {
  Atersokning atersokning;
  std::vector<InvalidParam> invalid;
  bool ok() const { return invalid.empty(); }
};

// FK takes återsökningar over 1,000 kronor.
inline constexpr std::int64_t kMinAtersokningOre = 100000;

AtersokningRequestParse parse_atersokning_request(const nlohmann::json& body, std::chrono::year_month_day today);

class AtersokningEndpoint {
 public:
  AtersokningEndpoint(AtersokningService& atersokningar, const authorization::ExchangeAuthorizer& authorizer,
                      Store& store)
      : atersokningar_(atersokningar), authorizer_(authorizer), keys_(store) {}

  // Guard: case systems.
  void create(Exchange exchange);

 private:
  AtersokningService& atersokningar_;
  const authorization::ExchangeAuthorizer& authorizer_;
  IdempotencyKeys keys_;
};

}  // namespace knutpunkt::http
