#pragma once
// Strict conversions of partner text to the case-event value forms (amounts in öre, ISO 8601
// dates). Errors are short English reasons that never repeat the input (it may be personal data).
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace knutpunkt::mapping::values {

// Decimal SEK text to integer öre, exactly (no floating point): "1234.50", "1234,5", "-200",
// "+7", "0.05". At most two decimals, unless the extra ones are zeros ("12.500"). Rejected:
// thousands separators, exponent, ".5", "5.", empty, more than 15 integer digits.
std::expected<std::int64_t, std::string> amount_ore(std::string_view text);

// Optional sign and digits only, within int64.
std::expected<std::int64_t, std::string> integer(std::string_view text);

// xsd:boolean: "true", "false", "1", "0".
std::expected<bool, std::string> boolean(std::string_view text);

// Strict calendar date YYYY-MM-DD (checked: month 1-12, day within the month, leap years).
// An xsd:date timezone suffix ("Z", "+01:00") is accepted and dropped: on a date it names the
// zone the day belongs to, not an instant, so the calendar date stays the same.
std::expected<std::string, std::string> date(std::string_view text);

// Compact date YYYYMMDD (CSN's form) to YYYY-MM-DD, same calendar checks.
std::expected<std::string, std::string> date_compact(std::string_view text);

// ISO 8601 / xsd:dateTime "YYYY-MM-DDThh:mm:ss[.fraction][Z|±hh:mm]", returned unchanged.
std::expected<std::string, std::string> datetime(std::string_view text);

// A plain decimal number ("22", "-1.5", "0,75"), normalised to '.' as separator, kept as text so
// nothing is lost to floating point.
std::expected<std::string, std::string> decimal(std::string_view text);

}  // namespace knutpunkt::mapping::values
