#include "policy/period.h"

#include <optional>

#include "policy/digits.h"

namespace knutpunkt::policy {
namespace {

using namespace std::chrono;

std::expected<year_month_day, FieldError> parse_iso_date(std::string_view text, std::string field) {
  // Strict YYYY-MM-DD: partners reject anything else, so nothing else is tolerated here.
  bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-';
  for (std::size_t i = 0; shaped && i < text.size(); ++i) {
    if (i != 4 && i != 7 && !is_digit(text[i])) shaped = false;
  }
  if (!shaped) {
    return std::unexpected(FieldError{std::move(field), "format", "Expected a date as YYYY-MM-DD."});
  }
  const year_month_day date{year{digits_value(text.substr(0, 4))},
                            month{static_cast<unsigned>(digits_value(text.substr(5, 2)))},
                            day{static_cast<unsigned>(digits_value(text.substr(8, 2)))}};
  if (!date.ok()) return std::unexpected(FieldError{std::move(field), "bad_date", "The date is not a calendar date."});
  return date;
}

}  // namespace

bool period_within(const Period& period, std::chrono::months max) {
  const year_month_day limit = period.from + max;
  // sys_days of a non-existent day (2026-02-29) is the day after the month's last: 1 March.
  return sys_days{period.to} <= sys_days{limit};
}

std::expected<Period, FieldError> parse_period(std::string_view from, std::string_view to, std::chrono::months max) {
  auto from_date = parse_iso_date(from, "from");
  if (!from_date) return std::unexpected(std::move(from_date.error()));
  auto to_date = parse_iso_date(to, "to");
  if (!to_date) return std::unexpected(std::move(to_date.error()));

  const auto span = (sys_days{*to_date} - sys_days{*from_date}).count();
  if (span < 0) return std::unexpected(FieldError{"to", "reversed", "The period ends before it starts."});
  Period period{*from_date, *to_date, std::string(from), std::string(to)};
  if (!period_within(period, max)) {
    return std::unexpected(
        FieldError{"to", "too_long", "The period is longer than " + std::to_string(max.count()) + " months."});
  }
  return period;
}

}  // namespace knutpunkt::policy
