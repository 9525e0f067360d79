#pragma once
#include <chrono>
#include <expected>
#include <string>
#include <string_view>

#include "policy/field_error.h"

namespace knutpunkt::policy {

struct Period {
  std::chrono::year_month_day from;
  std::chrono::year_month_day to;
  std::string from_text;  // YYYY-MM-DD, as sent on to partners
  std::string to_text;
};

// LEFI (Försäkringskassan's benefit information) refuses periods longer than two years, so a
// lookup period is checked here rather than discovered as a partner error. 731 days = two years
// that include a leap day.
inline constexpr int kMaxPeriodDays = 731;

// Strict ISO 8601 calendar dates YYYY-MM-DD (no whitespace, no time part), from <= to, and
// (to - from) in days at most `max_days`. FieldError::field is "from" or "to", naming the value
// at fault; a reversed or too long period blames "to". Codes: "format", "bad_date",
// "reversed", "too_long".
std::expected<Period, FieldError> parse_period(std::string_view from, std::string_view to,
                                               int max_days = kMaxPeriodDays);

}  // namespace knutpunkt::policy
