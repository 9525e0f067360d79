#pragma once
// Validation at the edge of POST /v1/referrals. Every problem is reported, each naming its field.
#include <chrono>
#include <nlohmann/json.hpp>
#include <vector>

#include "http/problem.h"
#include "referral/referral.h"
#include "referral/referral_lifecycle.h"

namespace knutpunkt::http {

struct ReferralRequestParse {
  Referral referral;  // best effort even when invalid, for the audit record of the refusal
  std::vector<InvalidParam> invalid;
  bool ok() const { return invalid.empty(); }
};

ReferralRequestParse parse_referral_request(const nlohmann::json& body, std::chrono::year_month_day today);

// PATCH /v1/referrals/{id}: at least one of the fields a referral may change, each valid as at
// acceptance.
struct ReferralChangeParse {
  ReferralChange change;
  std::vector<InvalidParam> invalid;
  bool ok() const { return invalid.empty(); }
};
ReferralChangeParse parse_referral_change(const nlohmann::json& body);

// POST /v1/referrals/{id}/withdrawal: {"reason": withdrawal_reason_codes()}.
struct ReferralWithdrawalParse {
  std::string reason;
  std::vector<InvalidParam> invalid;
  bool ok() const { return invalid.empty(); }
};
ReferralWithdrawalParse parse_referral_withdrawal(const nlohmann::json& body);

// POST /v1/referrals/{id}/decisions: {"decision", "period": {"from", "to"}, "reference"}.
struct ReferralDecisionParse {
  ReferralDecision decision;
  std::vector<InvalidParam> invalid;
  bool ok() const { return invalid.empty(); }
};
ReferralDecisionParse parse_referral_decision(const nlohmann::json& body);

// POST /v1/referrals/{id}/assessments: {"instrument", "part", "completed_on", "results": {item:
// category}}: one of the unit's own parts, every item and category from the code lists.
struct ReferralAssessmentParse {
  ReferralAssessment assessment;
  std::vector<InvalidParam> invalid;
  bool ok() const { return invalid.empty(); }
};
ReferralAssessmentParse parse_referral_assessment(const nlohmann::json& body, std::chrono::year_month_day today);

}  // namespace knutpunkt::http
