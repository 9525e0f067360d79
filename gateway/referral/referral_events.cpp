#include "referral/referral_events.h"

namespace knutpunkt {

routing::RouteKey referral_route_key(const nlohmann::json& referral, const std::string& type) {
  return {type, referral.value("client_id", ""), referral.value("municipality", ""), referral.value("unit", ""),
          referral.value("district", "")};
}

CaseEvent referral_event(const ReferralRecord& referral, std::string type, std::string source) {
  return new_case_event({.type = std::move(type),
                         .source_partner = std::move(source),
                         .case_id = referral.case_id,
                         .subject = {referral.person_id,
                                     referral.referral.value("person", nlohmann::json::object()).value("id_kind", "")},
                         .correlation_id = referral.referral_id,
                         .protected_identity = referral.protected_identity});
}

}  // namespace knutpunkt
