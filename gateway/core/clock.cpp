#include "core/clock.h"

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

std::chrono::year_month_day today_utc() {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

}  // namespace knutpunkt
