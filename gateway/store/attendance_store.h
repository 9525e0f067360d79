#pragma once
// Attendance days, months and summaries of referrals (store/attendance_records.h).
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "store/attendance_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class AttendanceStore {
 public:
  virtual ~AttendanceStore() = default;

  // The days of the referral stored in `month` (YYYY-MM), by date.
  virtual std::expected<std::vector<AttendanceDayRecord>, StoreError> attendance_days(const std::string& referral_id,
                                                                                      const std::string& month) = 0;
  virtual std::expected<std::optional<AttendanceMonthRecord>, StoreError> attendance_month(
      const std::string& referral_id, const std::string& month) = 0;
  // Months up to and including `through_month` whose days changed since their latest summary (or
  // that have none), ordered by (referral_id, month), at most `limit`, after (after_referral_id,
  // after_month) in that order ("" = from the start): the summary scan.
  virtual std::expected<std::vector<AttendanceMonthRecord>, StoreError> attendance_months_to_summarise(
      const std::string& through_month, const std::string& after_referral_id, const std::string& after_month,
      int limit) = 0;
  // Every month of the referral the store tracks (a day stored, a summary raised, a flag), by
  // month: what the summary job needs to find the months in which nothing was reported.
  virtual std::expected<std::vector<AttendanceMonthRecord>, StoreError> attendance_months_of(
      const std::string& referral_id) = 0;
  // The latest summary revision raised for the month, or nullopt.
  virtual std::expected<std::optional<AttendanceSummaryRecord>, StoreError> attendance_summary(
      const std::string& referral_id, const std::string& month) = 0;
};

}  // namespace knutpunkt
