#pragma once
// A referral's attendance over a calendar month: when the month counts as complete, what its
// summary says, and when unexcused absence is flagged. The basis a caseworker uses for a decision
// on försörjningsstöd (4 kap. 1 § SoL: the duty to stand at the disposal of the labour market),
// so figures are exact: hours in fixed point, every reported day counted once, as last corrected.
// Pure: time is passed in.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attendance/attendance_day.h"

namespace knutpunkt::attendance {

// What the gateway's configuration decides (config "attendance").
struct AttendanceRules {
  // Days of unexcused absence (OGILTIG) within one calendar month that raise
  // referral.absence_flagged, once per referral and month.
  int absence_flag_threshold = 3;
  // Days after a month's end before it counts as complete and its summary is raised.
  int summary_grace_days = 5;
};

// "YYYY-MM" (month 01..12); nullopt for anything else.
std::optional<std::chrono::year_month> parse_month(std::string_view text);
std::string format_month(std::chrono::year_month month);
// The month of a "YYYY-MM-DD" date ("" when it is not one).
std::string month_of_date(std::string_view date);

// Jobbtorg reports a month's last days after the month has ended, so a month is complete only
// `grace_days` after it ends: from midnight UTC on the first day of the next month plus grace.
bool month_complete(std::chrono::year_month month, std::chrono::system_clock::time_point now, int grace_days);
// The latest month that is complete at `now`.
std::chrono::year_month latest_complete_month(std::chrono::system_clock::time_point now, int grace_days);

// What the referral says about the hours planned: the referral's start date and its extent in
// hours per week (spread over the weekdays, Monday to Friday).
struct ReferralTerms {
  std::optional<std::chrono::year_month_day> start_date;
  int extent_hours_per_week = 0;
};

// The referral as accepted (its normalised JSON); a start date that cannot be read is none.
ReferralTerms terms_of(const nlohmann::json& referral);

// The facts of referral.attendance_summary for `month` from the days reported in it (each date
// once, as last corrected). Planned hours per day: Jobbtorg's planeradeTimmar when it sent one,
// otherwise the extent spread over the weekdays from the referral's start date; the facts say
// which was used (planned_hours_source: reported, derived_from_extent or mixed). An absence's
// hours are the day's planned hours less the hours present.
nlohmann::json summarise(std::chrono::year_month month, const std::vector<DayValues>& days, const ReferralTerms& terms);

// Days of unexcused absence (FRANVARANDE, OGILTIG) among `days`.
int unexcused_days(const std::vector<DayValues>& days);

// What a month's unexcused absence, as now decided, does to its flag. A flag is raised when the
// days reach the threshold in a month not flagged, and withdrawn when a correction brings a
// flagged month below it: a sanction decided on the flag would otherwise rest on days Jobbtorg
// no longer reports as unexcused. Once withdrawn, the month is flagged again, as a new flag, if it
// reaches the threshold again.
enum class FlagChange { none, raise, withdraw };
FlagChange absence_flag_change(int unexcused, int threshold, bool flagged);

// A month's attendance as the store tracks it: how many times its days were stored or
// corrected, how many of those the latest summary covers, and that summary's revision.
struct MonthProgress {
  int changes = 0;
  int summarised_changes = 0;
  int summary_revision = 0;  // 0: none raised yet
};

// The revision of the summary to raise now, or nullopt: a complete month whose days changed
// since its last summary (or that has none) gets the next revision, so a correction to a month
// already summarised raises a revised summary and the latest always matches what is stored.
std::optional<int> summary_due(std::chrono::year_month month, const MonthProgress& progress,
                               std::chrono::system_clock::time_point now, int grace_days);

// The first month a referral's attendance is summarised for: the month it starts, or the month it
// was accepted (`accepted_on`, YYYY-MM-DD...) when that is later, since Jobbtorg cannot report on
// time before it had the referral. nullopt when the acceptance date cannot be read.
std::optional<std::chrono::year_month> first_summarised_month(const ReferralTerms& terms, std::string_view accepted_on);

// The complete months from `first` on, through `last` when Jobbtorg ended the referral, in which
// no day was reported and no summary raised (`tracked`: the months that have either), oldest
// first. Each gets a summary of nothing reported, so the caseworker sees that rather than silence.
std::vector<std::chrono::year_month> unreported_months_due(std::chrono::year_month first,
                                                           std::optional<std::chrono::year_month> last,
                                                           const std::vector<std::chrono::year_month>& tracked,
                                                           std::chrono::system_clock::time_point now, int grace_days);

}  // namespace knutpunkt::attendance
