#include "mapping/values.h"

#include <limits>

namespace knutpunkt::mapping::values {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

int to_int(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

bool valid_calendar_date(int year, int month, int day) {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int last = month == 2 && leap ? 29 : kDays[month - 1];
  return day <= last;
}

bool valid_timezone(std::string_view tz) {
  if (tz.empty() || tz == "Z") return true;
  if (tz.size() != 6 || (tz[0] != '+' && tz[0] != '-') || tz[3] != ':') return false;
  if (!all_digits(tz.substr(1, 2)) || !all_digits(tz.substr(4, 2))) return false;
  return to_int(tz.substr(1, 2)) <= 14 && to_int(tz.substr(4, 2)) <= 59;
}

// "YYYY-MM-DD" exactly.
bool valid_iso_date(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  if (!all_digits(d.substr(0, 4)) || !all_digits(d.substr(5, 2)) || !all_digits(d.substr(8, 2))) return false;
  return valid_calendar_date(to_int(d.substr(0, 4)), to_int(d.substr(5, 2)), to_int(d.substr(8, 2)));
}

}  // namespace

std::expected<std::int64_t, std::string> amount_ore(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const auto separator = text.find_first_of(".,");
  const std::string_view kronor = text.substr(0, separator);
  std::string_view ore = separator == std::string_view::npos ? std::string_view{} : text.substr(separator + 1);
  if (!all_digits(kronor)) return std::unexpected("not a decimal SEK amount");
  if (separator != std::string_view::npos && !all_digits(ore)) return std::unexpected("not a decimal SEK amount");
  if (kronor.size() > 15) return std::unexpected("amount out of range");
  while (ore.size() > 2 && ore.back() == '0') ore.remove_suffix(1);
  if (ore.size() > 2) return std::unexpected("amount has more than two decimals");
  std::int64_t value = 0;
  for (char c : kronor) value = value * 10 + (c - '0');
  value *= 100;
  if (!ore.empty()) value += (ore[0] - '0') * 10;
  if (ore.size() == 2) value += ore[1] - '0';
  return negative ? -value : value;
}

std::expected<std::int64_t, std::string> integer(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (!all_digits(text)) return std::unexpected("not an integer");
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t value = 0;
  for (char c : text) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (kMax + 1 - digit) / 10) return std::unexpected("integer out of range");
    value = value * 10 + digit;
  }
  if (!negative && value > kMax) return std::unexpected("integer out of range");
  if (negative) return value == kMax + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(value);
  return static_cast<std::int64_t>(value);
}

std::expected<bool, std::string> boolean(std::string_view text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return std::unexpected("not a boolean (true, false, 1, 0)");
}

std::expected<std::string, std::string> date(std::string_view text) {
  if (text.size() < 10 || !valid_iso_date(text.substr(0, 10)) || !valid_timezone(text.substr(10))) {
    return std::unexpected("not a date YYYY-MM-DD");
  }
  return std::string(text.substr(0, 10));
}

std::expected<std::string, std::string> date_compact(std::string_view text) {
  if (text.size() != 8 || !all_digits(text)) return std::unexpected("not a date YYYYMMDD");
  std::string iso =
      std::string(text.substr(0, 4)) + "-" + std::string(text.substr(4, 2)) + "-" + std::string(text.substr(6, 2));
  if (!valid_iso_date(iso)) return std::unexpected("not a date YYYYMMDD");
  return iso;
}

std::expected<std::string, std::string> datetime(std::string_view text) {
  const auto fail = [] { return std::unexpected<std::string>("not a date-time YYYY-MM-DDThh:mm:ss"); };
  if (text.size() < 19 || !valid_iso_date(text.substr(0, 10)) || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return fail();
  }
  const auto hh = text.substr(11, 2), mm = text.substr(14, 2), ss = text.substr(17, 2);
  if (!all_digits(hh) || !all_digits(mm) || !all_digits(ss)) return fail();
  // 24:00:00 is xsd's end of day; leap seconds (60) are not something partners send.
  if (to_int(hh) > 23 || to_int(mm) > 59 || to_int(ss) > 59) return fail();
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    std::size_t n = 1;
    while (n < rest.size() && is_digit(rest[n])) ++n;
    if (n == 1 || n > 10) return fail();
    rest.remove_prefix(n);
  }
  if (!valid_timezone(rest)) return fail();
  return std::string(text);
}

std::expected<std::string, std::string> decimal(std::string_view text) {
  std::string out;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    if (text.front() == '-') out += '-';
    text.remove_prefix(1);
  }
  const auto separator = text.find_first_of(".,");
  const std::string_view whole = text.substr(0, separator);
  if (!all_digits(whole) || whole.size() > 30) return std::unexpected("not a decimal number");
  out += whole;
  if (separator != std::string_view::npos) {
    const std::string_view fraction = text.substr(separator + 1);
    if (!all_digits(fraction) || fraction.size() > 30) return std::unexpected("not a decimal number");
    out += '.';
    out += fraction;
  }
  return out;
}

}  // namespace knutpunkt::mapping::values
