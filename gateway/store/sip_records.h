#pragma once
// Samordnade individuella planer (SIP; 2 kap. 7 § SoL, 16 kap. 4 § HSL) as the store keeps them:
// the current plan with the columns the gateway looks plans up by, every version ever stored, and
// the reminders already raised. Plain data: the plan itself is the sip-plan.v1 document, whose
// rules are in gateway/sip/; the store keeps it as given.
#include <nlohmann/json.hpp>
#include <string>

namespace knutpunkt {

struct SipPlanRecord {
  std::string plan_id, client_id, case_id, person_id, consent_id;
  std::string status;  // "initiated" ... "closed" (sip::to_string(Status))
  int version = 0;
  std::string initiated_at, updated_at;  // UTC RFC 3339
  std::string meeting_at;                // "" when none
  std::string followup_due;              // date or ""
  bool protected_identity = false;
  nlohmann::json plan;  // the sip-plan.v1 document at `version`
};

namespace store_write {
// Upserts the current row and adds (plan_id, version) to the version history. A version once
// stored is never changed: storing the same (plan_id, version) again fails the whole commit, so
// two writers that both changed version n cannot both become n + 1.
struct PutSipPlan {
  SipPlanRecord record;
};
// A reminder (kind, e.g. "followup_due", and key, e.g. the due date) is raised once per plan:
// storing it again changes nothing.
struct PutSipReminder {
  std::string plan_id, kind, key, raised_at;
};
}  // namespace store_write

}  // namespace knutpunkt
