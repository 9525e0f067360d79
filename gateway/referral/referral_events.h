#pragma once
// What every case event about a referral shares: its subject, correlation and route key.
#include <string>

#include "core/case_event.h"
#include "routing/route_table.h"
#include "store/delivery_records.h"

namespace knutpunkt {

// Where an event of `type` about this referral is routed: by its client, municipality, unit and
// district, as the referral itself was.
routing::RouteKey referral_route_key(const nlohmann::json& referral, const std::string& type);

// A case event about `referral` from `source`, correlated by the referral id.
CaseEvent referral_event(const ReferralRecord& referral, std::string type, std::string source);

}  // namespace knutpunkt
