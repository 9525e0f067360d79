#include "policy/person_id.h"

#include <algorithm>
#include <array>
#include <optional>
#include <tuple>

#include "policy/digits.h"
#include "policy/identifier.h"

namespace knutpunkt::policy {
namespace {

using namespace std::chrono;

// No living person is older; an older birth date is a typing error (often a wrong century).
constexpr int kMaxAgeYears = 130;

FieldError error(std::string code, std::string reason) {
  return FieldError{"", std::move(code), std::move(reason)};
}

bool all_digits(std::string_view s) {
  return std::ranges::all_of(s, is_digit);
}

// Spaces only: control characters (tab and newline included) are refused before trimming.
std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " ";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(kSpace);
  return s.substr(first, last - first + 1);
}

// Luhn (mod 10) over YYMMDDNNN with weights 2,1,2,1,...; C makes the weighted digit sum a
// multiple of ten. Skatteverket SKV 704, avsnitt 2.3.
bool luhn_ok(std::string_view ten) {
  int sum = 0;
  for (std::size_t i = 0; i < 9; ++i) {
    int d = (ten[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return (10 - sum % 10) % 10 == ten[9] - '0';
}

// The earliest birth date still accepted: `today` kMaxAgeYears years ago (a 29 February
// today maps to the 28th when that year has none).
sys_days oldest_birth_date(year_month_day today) {
  const year_month_day then = today - years{kMaxAgeYears};
  return then.ok() ? sys_days{then} : sys_days{then.year() / then.month() / last};
}

}  // namespace

std::string_view to_string(PersonIdKind kind) {
  switch (kind) {
    case PersonIdKind::personnummer:
      return "personnummer";
    case PersonIdKind::samordningsnummer:
      return "samordningsnummer";
  }
  return "unknown";
}

std::expected<PersonId, FieldError> parse_person_id(std::string_view text, year_month_day today) {
  // A NUL or other control character is never part of an identifier: read as "no separator" it
  // would pass, and a C string would end at it, so what is logged and what is matched could differ.
  if (has_control_character(text)) {
    return std::unexpected(error("control_characters", "An identifier must not contain control characters."));
  }
  const std::string_view s = trim(text);
  const auto bad_format = [] {
    return std::unexpected(
        error("format", "Expected YYYYMMDDNNNC, YYYYMMDD-NNNC, YYMMDDNNNC, YYMMDD-NNNC or YYMMDD+NNNC."));
  };

  // Split into an optional explicit century, the 10-digit form and the separator.
  std::string_view century;
  std::string ten;
  std::optional<char> separator;  // only the 11- and 13-character forms have one
  switch (s.size()) {
    case 10:
      ten = s;
      break;
    case 11:
      ten = std::string(s.substr(0, 6)).append(s.substr(7));
      separator = s[6];
      break;
    case 12:
      century = s.substr(0, 2);
      ten = s.substr(2);
      break;
    case 13:
      century = s.substr(0, 2);
      ten = std::string(s.substr(2, 6)).append(s.substr(9));
      separator = s[8];
      break;
    default:
      return bad_format();
  }
  if (!all_digits(century) || !all_digits(ten)) return bad_format();
  if (separator && *separator != '-' && *separator != '+') return bad_format();
  // With an explicit century '+' would either repeat or contradict it; refuse (see header).
  if (!century.empty() && separator == '+') return bad_format();

  const int yy = digits_value(std::string_view(ten).substr(0, 2));
  const unsigned mm = static_cast<unsigned>(digits_value(std::string_view(ten).substr(2, 2)));
  unsigned dd = static_cast<unsigned>(digits_value(std::string_view(ten).substr(4, 2)));
  PersonIdKind kind = PersonIdKind::personnummer;
  // Samordningsnummer: the day of birth plus 60 (folkbokföringslagen 18 a §).
  if (dd >= 61 && dd <= 91) {
    dd -= 60;
    kind = PersonIdKind::samordningsnummer;
  }

  int full_year = 0;
  if (!century.empty()) {
    full_year = digits_value(century) * 100 + yy;
  } else {
    // The most recent year ending in yy whose month and day are not after today.
    const int this_year = static_cast<int>(today.year());
    full_year = this_year - ((this_year % 100 - yy + 100) % 100);
    if (full_year == this_year &&
        std::tuple{mm, dd} > std::tuple{static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day())}) {
      full_year -= 100;
    }
    if (separator == '+') full_year -= 100;
  }

  const year_month_day born{year{full_year}, month{mm}, day{dd}};
  if (!born.ok()) return std::unexpected(error("bad_date", "The birth date part is not a calendar date."));
  if (!luhn_ok(ten)) return std::unexpected(error("bad_check_digit", "The check digit does not match (Luhn)."));
  if (sys_days{born} > sys_days{today}) {
    return std::unexpected(error("future_date", "The birth date is in the future."));
  }
  if (sys_days{born} < oldest_birth_date(today)) {
    return std::unexpected(error("too_old", "The birth date is more than 130 years ago."));
  }

  std::string digits = std::to_string(full_year / 100);
  if (digits.size() < 2) digits.insert(0, 2 - digits.size(), '0');
  digits += ten;
  return PersonId{std::move(digits), kind};
}

}  // namespace knutpunkt::policy
