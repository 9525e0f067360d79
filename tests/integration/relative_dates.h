#pragma once
// Dates and instants counted from the clock the test runs under. The gateway judges a consent's
// given_at and expires_at, and a SIP's meeting and follow-ups, against its own clock; a literal
// date there holds only until that day passes. scripts/test runs these suites under faked clocks
// to keep it so.
#include <chrono>
#include <string>

#include "core/clock.h"

namespace knutpunkt::testing {

// The UTC calendar date `days` after today (before, when negative), as YYYY-MM-DD: the calendar
// the gateway's date checks use.
inline std::string date_from_today(int days) {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return format_utc(today + std::chrono::days{days}).substr(0, 10);
}

// The instant `offset` from now as RFC 3339 UTC with milliseconds, e.g. a consent given an hour ago.
inline std::string time_from_now(std::chrono::system_clock::duration offset) {
  return format_utc(std::chrono::system_clock::now() + offset);
}

}  // namespace knutpunkt::testing
