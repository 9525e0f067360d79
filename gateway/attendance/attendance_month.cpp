#include "attendance/attendance_month.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>

namespace knutpunkt::attendance {
namespace {

using namespace std::chrono;

constexpr std::array<const char*, 4> kReasons{"SJUK", "VAB", "GILTIG_ANNAN", "OGILTIG"};

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

std::optional<year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!digits(text.substr(0, 4)) || !digits(text.substr(5, 2)) || !digits(text.substr(8, 2))) return std::nullopt;
  const year_month_day d{year{number(text.substr(0, 4))}, month{static_cast<unsigned>(number(text.substr(5, 2)))},
                         day{static_cast<unsigned>(number(text.substr(8, 2)))}};
  if (!d.ok()) return std::nullopt;
  return d;
}

bool weekday_of_work(year_month_day d) {
  const weekday w{sys_days{d}};
  return w != Saturday && w != Sunday;
}

}  // namespace

std::optional<year_month> parse_month(std::string_view text) {
  if (text.size() != 7 || text[4] != '-' || !digits(text.substr(0, 4)) || !digits(text.substr(5, 2))) {
    return std::nullopt;
  }
  const year_month m{year{number(text.substr(0, 4))}, month{static_cast<unsigned>(number(text.substr(5, 2)))}};
  if (!m.ok()) return std::nullopt;
  return m;
}

std::string format_month(year_month m) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u", static_cast<int>(m.year()), static_cast<unsigned>(m.month()));
  return text;
}

std::string month_of_date(std::string_view date) {
  const auto d = parse_date(date);
  return d ? format_month(d->year() / d->month()) : std::string();
}

bool month_complete(year_month m, system_clock::time_point now, int grace_days) {
  const sys_days next_month{(m + months{1}) / 1};
  return now >= next_month + days{grace_days};
}

year_month latest_complete_month(system_clock::time_point now, int grace_days) {
  const year_month_day shifted{floor<days>(now - days{grace_days})};
  return shifted.year() / shifted.month() - months{1};
}

ReferralTerms terms_of(const nlohmann::json& referral) {
  ReferralTerms terms;
  if (!referral.is_object()) return terms;
  if (const auto it = referral.find("start_date"); it != referral.end() && it->is_string()) {
    terms.start_date = parse_date(it->get<std::string>());
  }
  if (const auto it = referral.find("extent_hours_per_week"); it != referral.end() && it->is_number_integer()) {
    terms.extent_hours_per_week = std::max(0, it->get<int>());
  }
  return terms;
}

nlohmann::json summarise(year_month m, const std::vector<DayValues>& reported, const ReferralTerms& terms) {
  std::map<std::string, const DayValues*> by_date;
  for (const DayValues& d : reported) {
    if (month_of_date(d.date) == format_month(m)) by_date[d.date] = &d;
  }
  // Extent per week over five weekdays; exact in kHourUnits for any whole number of hours.
  const std::int64_t derived_per_day = static_cast<std::int64_t>(terms.extent_hours_per_week) * kHourUnits / 5;
  int planned_reported = 0, planned_derived = 0;
  std::int64_t planned = 0, attended = 0;
  int attended_days = 0;
  struct Absence {
    int days = 0;
    std::int64_t hours = 0;
  };
  std::map<std::string, Absence> absence;
  for (const char* r : kReasons) absence[r] = {};
  Absence without_reason;

  const sys_days first{m / 1}, end{(m + months{1}) / 1};
  for (sys_days at = first; at < end; at += days{1}) {
    const year_month_day ymd{at};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    const auto found = by_date.find(text);
    const DayValues* day = found == by_date.end() ? nullptr : found->second;
    std::int64_t planned_today = 0;
    if (day != nullptr && day->planned_hours) {
      planned_today = *day->planned_hours;
      ++planned_reported;
    } else if (weekday_of_work(ymd) && terms.start_date && sys_days{*terms.start_date} <= at) {
      planned_today = derived_per_day;
      ++planned_derived;
    }
    planned += planned_today;
    if (day == nullptr) continue;
    const std::int64_t present = day->hours.value_or(0);
    if (day->attendance == "NARVARANDE") {
      ++attended_days;
      attended += present;
      continue;
    }
    const auto it = absence.find(day->absence_reason);
    Absence& a = it == absence.end() ? without_reason : it->second;
    ++a.days;
    a.hours += std::max<std::int64_t>(0, planned_today - present);
    attended += present;
  }

  nlohmann::json facts = {{"month", format_month(m)},
                          {"reported_days", by_date.size()},
                          {"planned_hours", format_hours(planned)},
                          {"planned_hours_source", planned_derived == 0 && planned_reported > 0 ? "reported"
                                                   : planned_reported == 0                      ? "derived_from_extent"
                                                                                                : "mixed"},
                          {"attended_days", attended_days},
                          {"attended_hours", format_hours(attended)}};
  if (planned_derived > 0) facts["extent_hours_per_week"] = terms.extent_hours_per_week;
  auto& out = facts["absence"] = nlohmann::json::object();
  for (const auto& [reason, a] : absence) out[reason] = {{"days", a.days}, {"hours", format_hours(a.hours)}};
  if (without_reason.days > 0) {
    facts["absence_without_reason"] = {{"days", without_reason.days}, {"hours", format_hours(without_reason.hours)}};
  }
  return facts;
}

int unexcused_days(const std::vector<DayValues>& reported) {
  return static_cast<int>(std::count_if(reported.begin(), reported.end(), [](const DayValues& d) {
    return d.attendance == "FRANVARANDE" && d.absence_reason == "OGILTIG";
  }));
}

FlagChange absence_flag_change(int unexcused, int threshold, bool flagged) {
  if (!flagged && unexcused >= threshold) return FlagChange::raise;
  if (flagged && unexcused < threshold) return FlagChange::withdraw;
  return FlagChange::none;
}

std::optional<int> summary_due(year_month m, const MonthProgress& progress, system_clock::time_point now,
                               int grace_days) {
  if (!month_complete(m, now, grace_days)) return std::nullopt;
  if (progress.summary_revision > 0 && progress.summarised_changes >= progress.changes) return std::nullopt;
  return progress.summary_revision + 1;
}

std::optional<year_month> first_summarised_month(const ReferralTerms& terms, std::string_view accepted_on) {
  const auto accepted = parse_date(accepted_on.substr(0, 10));
  if (!accepted) return std::nullopt;
  year_month first = accepted->year() / accepted->month();
  if (terms.start_date) first = std::max(first, terms.start_date->year() / terms.start_date->month());
  return first;
}

std::vector<year_month> unreported_months_due(year_month first, std::optional<year_month> last,
                                              const std::vector<year_month>& tracked, system_clock::time_point now,
                                              int grace_days) {
  year_month through = latest_complete_month(now, grace_days);
  if (last && *last < through) through = *last;
  std::vector<year_month> due;
  for (year_month m = first; m <= through; m += months{1}) {
    if (std::find(tracked.begin(), tracked.end(), m) == tracked.end()) due.push_back(m);
  }
  return due;
}

}  // namespace knutpunkt::attendance
