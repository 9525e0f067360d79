#pragma once
// What a Jobbtorg report's attendance days become, decided against what is stored: a day first
// reported stays a referral.attendance event, the same day sent again unchanged becomes nothing,
// a changed day becomes referral.attendance_corrected (never a second day), unexcused absence
// reaching the threshold in a month raises referral.absence_flagged once, and a correction that
// brings a flagged month back below it raises referral.absence_flag_withdrawn. The referral
// service commits the writes with the report's audit record.
#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attendance/attendance_month.h"
#include "core/inbound_adapter.h"
#include "store/attendance_store.h"
#include "store/delivery_records.h"
#include "store/store_writes.h"

namespace knutpunkt::attendance {

inline constexpr const char* kAttendance = "referral.attendance";
inline constexpr const char* kAttendanceCorrected = "referral.attendance_corrected";
inline constexpr const char* kAbsenceFlagged = "referral.absence_flagged";
inline constexpr const char* kAbsenceFlagWithdrawn = "referral.absence_flag_withdrawn";
inline constexpr const char* kAttendanceSummary = "referral.attendance_summary";

struct AttendanceDecision {
  std::vector<ReportedEvent> events;  // what to publish, the report's other events unchanged
  std::vector<StoreWrite> writes;
  nlohmann::json audit = nlohmann::json::object();  // per day what it was taken as; flags raised
};

class AttendanceLedger {
 public:
  AttendanceLedger(AttendanceStore& store, AttendanceRules rules);

  // Whether any of `events` is an attendance day.
  static bool reports_attendance(const std::vector<ReportedEvent>& events);
  // Removes the attendance days from `events` and says how many there were.
  static int drop_attendance(std::vector<ReportedEvent>& events);

  // Decides on the report's days from what is stored for `referral`. A date the report names
  // twice is taken as its last entry. `now`: when the report was received (UTC).
  std::expected<AttendanceDecision, StoreError> decide(const ReferralRecord& referral,
                                                       const std::string& partner_message_id,
                                                       std::vector<ReportedEvent> events, const std::string& now) const;

 private:
  AttendanceStore& store_;
  AttendanceRules rules_;
};

}  // namespace knutpunkt::attendance
