#pragma once
// What the referral time limits are judged on (which reports Jobbtorg sent about a referral) and
// the limits already raised, one row each.
#include <cstdint>
#include <string>

namespace knutpunkt {

// One report a partner sent about a referral, as it arrived: its type and, when it announces
// one, the plan follow-up date. Kept in arrival order (`position`, assigned by the store).
struct ReferralReportRecord {
  std::string referral_id;
  std::string partner;
  std::string partner_message_id;
  std::string report_type;       // e.g. "INSKRIVNING"
  std::string planned_followup;  // date, or "" when the report announces none
  std::string received_at;       // UTC date-time
  std::int64_t position = 0;
};

namespace store_write {
// Stored with the report's receipt, in the same transaction.
struct PutReferralReport {
  ReferralReportRecord report;
};
// A time limit (kind: the case event's type; key: "referral", or the follow-up date) is raised
// once per referral: a commit that would store it a second time fails as a conflict.
struct PutReferralReminder {
  std::string referral_id, kind, key, raised_at;
};
}  // namespace store_write

}  // namespace knutpunkt
