#pragma once
// Attendance Jobbtorg reported on a referral, as the store keeps it: each day as last reported
// (so a day sent again is recognised, and a changed one is a correction), each month's progress
// (how often its days changed, which summary covers them, whether unexcused absence was flagged)
// and every summary raised. Plain data: the rules are in gateway/attendance/.
#include <nlohmann/json.hpp>
#include <string>

namespace knutpunkt {

struct AttendanceDayRecord {
  std::string referral_id;
  std::string date;  // YYYY-MM-DD
  int version = 0;   // 1 when first reported, one more for each correction
  // Jobbtorg's own number for this version of the day, when it sends one; -1 when it did not.
  std::int64_t partner_version = -1;
  nlohmann::json day;              // the normalised day (attendance::to_json)
  std::string partner_message_id;  // the report that stored this version
  std::string recorded_at;
};

struct AttendanceMonthRecord {
  std::string referral_id;
  std::string month;               // YYYY-MM
  int changes = 0;                 // times a day of the month was stored or corrected
  int summarised_changes = 0;      // `changes` as the latest summary saw them
  int summary_revision = 0;        // 0: no summary raised yet
  std::string absence_flagged_at;  // "" while not flagged (or since its flag was withdrawn)
};

struct AttendanceSummaryRecord {
  std::string referral_id;
  std::string month;
  int revision = 0;
  nlohmann::json summary;  // the facts of referral.attendance_summary
  std::string raised_at;
};

namespace store_write {
// Stores a day's version and counts a change of its month. `day.version` must be one more than
// the version stored (1 when none is): a report decided on a day another commit changed since
// fails the whole commit, so a day is never reported twice as new nor corrected from a stale copy.
struct PutAttendanceDay {
  AttendanceDayRecord day;
};
// Adds a summary revision (never replaced: storing the same revision again fails the commit) and
// records that the month's summary covers `covers_changes` of its changes.
struct PutAttendanceSummary {
  AttendanceSummaryRecord summary;
  int covers_changes = 0;
};
// Marks the month flagged for unexcused absence; once only: flagging it again fails the commit.
struct PutAbsenceFlag {
  std::string referral_id, month, flagged_at;
};
// Withdraws the month's flag raised at `flagged_at`, after which the month may be flagged again.
// Only that flag: when the month holds another one, or none, the commit fails, so a withdrawal
// decided on a stale copy never withdraws a flag raised since.
struct WithdrawAbsenceFlag {
  std::string referral_id, month, flagged_at;
};
}  // namespace store_write

}  // namespace knutpunkt
