#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace knutpunkt {

// UTC timestamp in RFC 3339 form with milliseconds, e.g. 2026-11-24T13:05:09.123Z.
std::string format_utc(std::chrono::system_clock::time_point t);
std::string now_utc();

// Milliseconds since the Unix epoch: how the outbox and its attempts keep times.
std::int64_t epoch_ms(std::chrono::system_clock::time_point t);
std::int64_t now_ms();
// format_utc of an epoch_ms value.
std::string format_utc_ms(std::int64_t ms);

// Reads "YYYY-MM-DDTHH:MM:SS[.fff]Z" or a plain date "YYYY-MM-DD" (midnight UTC); nullopt for
// anything else, including offsets other than Z.
std::optional<std::chrono::system_clock::time_point> parse_utc(std::string_view text);

// Today's date in Sweden's civil calendar is what matters for personnummer ages; UTC is
// close enough for that (a person's age never hinges on the hour between UTC and CET).
std::chrono::year_month_day today_utc();

}  // namespace knutpunkt
