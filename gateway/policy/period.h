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

// The longest period any request may name. Each partner's own, shorter limit (LEFI: two years)
// is its exchange policy's (policy/exchange_policy.h), checked with period_within().
inline constexpr std::chrono::months kMaxRequestPeriod{120};

// Strict ISO 8601 calendar dates YYYY-MM-DD (no whitespace, no time part), from <= to, and
// within `max` (see period_within). FieldError::field is "from" or "to", naming the value at
// fault; a reversed or too long period blames "to". Codes: "format", "bad_date", "reversed",
// "too_long".
std::expected<Period, FieldError> parse_period(std::string_view from, std::string_view to,
                                               std::chrono::months max = kMaxRequestPeriod);

// Whether `to` is at most the same calendar day `max` months after `from`, as LEFI counts "two
// years" (a day that does not exist then, 29 February, rolls over to 1 March).
bool period_within(const Period& period, std::chrono::months max);

}  // namespace knutpunkt::policy
