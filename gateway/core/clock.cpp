#include "core/clock.h"

#include <algorithm>
#include <cstdio>

namespace knutpunkt {

std::string format_utc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<milliseconds>(t - day)};
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  std::string s(out);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03lld", static_cast<long long>(hms.subseconds().count()));
  s.insert(s.size() - 1, ms);
  return s;
}

std::string now_utc() { return format_utc(std::chrono::system_clock::now()); }

std::int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::int64_t now_ms() {
  return epoch_ms(std::chrono::system_clock::now());
}

std::string format_utc_ms(std::int64_t ms) {
  return format_utc(std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}});
}

std::optional<std::chrono::system_clock::time_point> parse_utc(std::string_view text) {
  using namespace std::chrono;
  const auto digits = [&](std::size_t from, std::size_t count) -> std::optional<int> {
    if (from + count > text.size()) return std::nullopt;
    int n = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      n = n * 10 + (text[i] - '0');
    }
    return n;
  };
  const auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2);
  if (!y || !mo || !d || text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  // system_clock counts nanoseconds in 64 bits (about the years 1678 to 2261): a date outside that
  // is no time_point, and converting it would overflow. A day's margin leaves room for the time.
  constexpr sys_days kFirstDay = ceil<days>(system_clock::time_point::min()) + days{1};
  constexpr sys_days kLastDay = floor<days>(system_clock::time_point::max()) - days{1};
  if (!date.ok() || sys_days{date} < kFirstDay || sys_days{date} > kLastDay) return std::nullopt;
  system_clock::time_point at = sys_days{date};
  if (text.size() == 10) return at;
  const auto h = digits(11, 2), mi = digits(14, 2), sec = digits(17, 2);
  if (!h || !mi || !sec || text[10] != 'T' || text[13] != ':' || text[16] != ':' || *h > 23 || *mi > 59 || *sec > 59) {
    return std::nullopt;
  }
  at += hours{*h} + minutes{*mi} + seconds{*sec};
  std::size_t i = 19;
  if (i < text.size() && text[i] == '.') {
    const std::size_t start = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i - start > 9) return std::nullopt;
    const auto ms = digits(start, std::min<std::size_t>(3, i - start));
    int scaled = *ms;
    for (std::size_t k = i - start; k < 3; ++k) scaled *= 10;
    at += milliseconds{scaled};
  }
  if (i + 1 != text.size() || text[i] != 'Z') return std::nullopt;
  return at;
}

std::chrono::year_month_day today_utc() {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

}  // namespace knutpunkt
