#pragma once
// Attendance days, months and summaries of referrals in PostgreSQL (store/attendance_records.h).
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "store/attendance_records.h"
#include "store/postgres/pg_connection.h"

namespace knutpunkt::pg {

// Migration 3.
std::string attendance_schema();

std::expected<void, StoreError> apply(Connection& c, const store_write::PutAttendanceDay& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::PutAttendanceSummary& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::PutAbsenceFlag& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::WithdrawAbsenceFlag& w);

std::expected<std::vector<AttendanceDayRecord>, StoreError> attendance_days(Connection& c,
                                                                            const std::string& referral_id,
                                                                            const std::string& month);
std::expected<std::optional<AttendanceMonthRecord>, StoreError> attendance_month(Connection& c,
                                                                                 const std::string& referral_id,
                                                                                 const std::string& month);
std::expected<std::vector<AttendanceMonthRecord>, StoreError> attendance_months_to_summarise(
    Connection& c, const std::string& through_month, const std::string& after_referral_id,
    const std::string& after_month, int limit);
std::expected<std::vector<AttendanceMonthRecord>, StoreError> attendance_months_of(Connection& c,
                                                                                   const std::string& referral_id);
std::expected<std::optional<AttendanceSummaryRecord>, StoreError> attendance_summary(Connection& c,
                                                                                     const std::string& referral_id,
                                                                                     const std::string& month);

}  // namespace knutpunkt::pg
