#pragma once
// Validation at the edge of POST /v1/referrals. Every problem is reported, each naming its field.
#include <chrono>
#include <nlohmann/json.hpp>
#include <vector>

#include "http/problem.h"
#include "referral/referral.h"

namespace knutpunkt::http {

struct ReferralRequestParse {
  Referral referral;  // best effort even when invalid, for the audit record of the refusal
  std::vector<InvalidParam> invalid;
  bool ok() const { return invalid.empty(); }
};

ReferralRequestParse parse_referral_request(const nlohmann::json& body, std::chrono::year_month_day today);

}  // namespace knutpunkt::http
