#include "attendance/attendance_day.h"

#include <algorithm>

namespace knutpunkt::attendance {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_date(std::string_view s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && all_digits(s.substr(0, 4)) && all_digits(s.substr(5, 2)) &&
         all_digits(s.substr(8, 2));
}

// A fact that may come as a decimal string (the mapping's form) or a JSON number.
std::expected<std::optional<std::int64_t>, std::string> hours_fact(const nlohmann::json& facts, const char* name) {
  const auto it = facts.find(name);
  if (it == facts.end() || it->is_null()) return std::nullopt;
  std::optional<std::int64_t> units;
  if (it->is_string()) units = parse_hours(it->get<std::string>());
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0 && it->get<std::int64_t>() <= 24) {
    units = it->get<std::int64_t>() * kHourUnits;
  }
  if (!units) return std::unexpected(std::string(name));
  return units;
}

}  // namespace

std::optional<std::int64_t> parse_hours(std::string_view text) {
  const auto separator = text.find_first_of(".,");
  const std::string_view whole = text.substr(0, separator);
  std::string_view fraction = separator == std::string_view::npos ? std::string_view{} : text.substr(separator + 1);
  if (!all_digits(whole) || whole.size() > 6) return std::nullopt;
  if (separator != std::string_view::npos && !all_digits(fraction)) return std::nullopt;
  while (fraction.size() > 4 && fraction.back() == '0') fraction.remove_suffix(1);
  if (fraction.size() > 4) return std::nullopt;
  std::int64_t value = 0;
  for (char c : whole) value = value * 10 + (c - '0');
  value *= kHourUnits;
  std::int64_t scale = kHourUnits / 10;
  for (char c : fraction) {
    value += (c - '0') * scale;
    scale /= 10;
  }
  return value;
}

std::string format_hours(std::int64_t units) {
  std::string out = units < 0 ? "-" : "";
  if (units < 0) units = -units;
  out += std::to_string(units / kHourUnits);
  std::string fraction = std::to_string(units % kHourUnits);
  fraction.insert(0, 4 - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (!fraction.empty()) out += "." + fraction;
  return out;
}

std::expected<DayValues, std::string> day_from_facts(const nlohmann::json& facts) {
  if (!facts.is_object()) return std::unexpected(std::string("facts"));
  DayValues day;
  day.date = facts.value("date", "");
  if (!is_date(day.date)) return std::unexpected(std::string("date"));
  day.attendance = facts.value("attendance", "");
  if (day.attendance != "NARVARANDE" && day.attendance != "FRANVARANDE") {
    return std::unexpected(std::string("attendance"));
  }
  auto hours = hours_fact(facts, "hours");
  if (!hours) return std::unexpected(hours.error());
  day.hours = *hours;
  auto planned = hours_fact(facts, "planned_hours");
  if (!planned) return std::unexpected(planned.error());
  day.planned_hours = *planned;
  if (const auto it = facts.find("absence_reason"); it != facts.end() && !it->is_null()) {
    if (!it->is_string()) return std::unexpected(std::string("absence_reason"));
    day.absence_reason = it->get<std::string>();
  }
  if (const auto it = facts.find("absence_reported"); it != facts.end() && !it->is_null()) {
    if (!it->is_boolean()) return std::unexpected(std::string("absence_reported"));
    day.absence_reported = it->get<bool>();
  }
  return day;
}

nlohmann::json to_json(const DayValues& day) {
  nlohmann::json out = {{"date", day.date}, {"attendance", day.attendance}};
  if (day.hours) out["hours"] = format_hours(*day.hours);
  if (day.planned_hours) out["planned_hours"] = format_hours(*day.planned_hours);
  if (!day.absence_reason.empty()) out["absence_reason"] = day.absence_reason;
  if (day.absence_reported) out["absence_reported"] = *day.absence_reported;
  return out;
}

bool same_content(const DayValues& a, const DayValues& b) {
  return a.attendance == b.attendance && a.hours == b.hours && a.planned_hours == b.planned_hours &&
         a.absence_reason == b.absence_reason && a.absence_reported == b.absence_reported;
}

DayChange classify(const std::optional<StoredDay>& stored, const DayValues& reported,
                   std::optional<std::int64_t> reported_version) {
  if (!stored) return DayChange::first_report;
  if (same_content(stored->values, reported)) return DayChange::unchanged;
  // Only when both sides carry Jobbtorg's numbering can a report be known to be older; without
  // it the newest report to arrive is Jobbtorg's latest word.
  if (reported_version && stored->partner_version && *reported_version <= *stored->partner_version) {
    return DayChange::stale;
  }
  return DayChange::corrected;
}

std::string_view to_string(DayChange change) {
  switch (change) {
    case DayChange::first_report:
      return "first_report";
    case DayChange::unchanged:
      return "unchanged";
    case DayChange::corrected:
      return "corrected";
    case DayChange::stale:
      return "stale";
  }
  return "unknown";
}

}  // namespace knutpunkt::attendance
