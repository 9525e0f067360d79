#pragma once
// One day of attendance as Jobbtorg reports it (a NARVARO report's `dagar`), normalised so two
// reports of the same day compare by what they say, not by how they spell it ("4" and "4.0"
// hours are the same day). Pure: no I/O, no clock.
#include <cstdint>
#include <expected>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace knutpunkt::attendance {

// Hours are kept in ten-thousandths of an hour: Jobbtorg sends decimals ("2.5"), and sums over a
// month must be exact, so no floating point arithmetic touches them.
inline constexpr std::int64_t kHourUnits = 10000;

// Reads a decimal hour count ("4", "2.5", "0,75"); nullopt for anything else, for a negative
// value, and for more than four decimals (finer than Jobbtorg records).
std::optional<std::int64_t> parse_hours(std::string_view text);
// The shortest decimal text of `units` ("4", "2.5", "0.3333").
std::string format_hours(std::int64_t units);

struct DayValues {
  std::string date;                           // YYYY-MM-DD
  std::string attendance;                     // "NARVARANDE" | "FRANVARANDE"
  std::optional<std::int64_t> hours;          // hours present that day (kHourUnits)
  std::optional<std::int64_t> planned_hours;  // planeradeTimmar, when Jobbtorg plans the day itself
  std::string absence_reason;                 // SJUK, VAB, GILTIG_ANNAN, OGILTIG or ""
  std::optional<bool> absence_reported;       // anmäld in advance
};

// Reads the facts of a referral.attendance event (mappings/jobbtorg/NARVARO.json) or a stored
// day; the error names the fact that is missing or unreadable.
std::expected<DayValues, std::string> day_from_facts(const nlohmann::json& facts);
// The normalised day, in the same members as the event's facts.
nlohmann::json to_json(const DayValues& day);

// Whether two reports of a day say the same thing (the date aside).
bool same_content(const DayValues& a, const DayValues& b);

// The day as it is stored: its values, how many times it changed (1 when first reported), and
// Jobbtorg's own version of it when Jobbtorg numbers its corrections.
struct StoredDay {
  DayValues values;
  int version = 1;
  std::optional<std::int64_t> partner_version;
};

enum class DayChange {
  first_report,  // never reported before: a referral.attendance day
  unchanged,     // the same day sent again in a new report: no new event
  corrected,     // different content: referral.attendance_corrected
  stale,         // an older version than the one stored (Jobbtorg's version numbers): ignored
};

// What a reported day is, given what is stored. Jobbtorg may number a day's versions, mark a
// correction (korrigerad) or neither; the stored content decides, and a version number only
// keeps an older report that arrives late from undoing a newer one.
DayChange classify(const std::optional<StoredDay>& stored, const DayValues& reported,
                   std::optional<std::int64_t> reported_version);

std::string_view to_string(DayChange change);

}  // namespace knutpunkt::attendance
