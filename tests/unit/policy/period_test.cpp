#include "policy/period.h"

#include <catch2/catch.hpp>

using namespace std::chrono;
using knutpunkt::policy::parse_period;

namespace {
std::string outcome(std::string_view from, std::string_view to, int max_days = knutpunkt::policy::kMaxPeriodDays) {
  auto period = parse_period(from, to, max_days);
  return period ? std::string("ok") : period.error().field + ":" + period.error().code;
}
}  // namespace

TEST_CASE("a period of strict ISO dates is parsed into calendar dates and kept as text") {
  auto period = parse_period("2025-01-01", "2025-03-31");
  REQUIRE(period);
  CHECK(period->from == year_month_day{year{2025}, month{1}, day{1}});
  CHECK(period->to == year_month_day{year{2025}, month{3}, day{31}});
  CHECK(period->from_text == "2025-01-01");
  CHECK(period->to_text == "2025-03-31");
  CHECK(outcome("2025-05-05", "2025-05-05") == "ok");
}

TEST_CASE("a date not written as YYYY-MM-DD is refused naming the field") {
  CHECK(outcome("2025-1-01", "2025-03-31") == "from:format");
  CHECK(outcome("20250101", "2025-03-31") == "from:format");
  CHECK(outcome("2025-01-01", "2025/03/31") == "to:format");
  CHECK(outcome("2025-01-01", " 2025-03-31") == "to:format");
  CHECK(outcome("2025-01-01", "2025-03-31T00:00") == "to:format");
  CHECK(outcome("", "2025-03-31") == "from:format");
  CHECK(outcome("2025-01-0a", "2025-03-31") == "from:format");
}

TEST_CASE("a date that is not on the calendar is refused naming the field") {
  CHECK(outcome("2023-02-29", "2023-03-31") == "from:bad_date");
  CHECK(outcome("2024-02-29", "2024-03-31") == "ok");
  CHECK(outcome("2025-01-01", "2025-04-31") == "to:bad_date");
  CHECK(outcome("2025-13-01", "2025-12-31") == "from:bad_date");
  CHECK(outcome("2025-00-10", "2025-12-31") == "from:bad_date");
}

TEST_CASE("a period that ends before it starts is refused on the to field") {
  CHECK(outcome("2025-03-02", "2025-03-01") == "to:reversed");
}

TEST_CASE("a period longer than LEFI's two years is refused on the to field") {
  // 2024-01-01 .. 2026-01-01 is exactly 731 days (2024 is a leap year).
  CHECK(outcome("2024-01-01", "2026-01-01") == "ok");
  CHECK(outcome("2024-01-01", "2026-01-02") == "to:too_long");
  CHECK(outcome("2025-01-01", "2025-01-31", 30) == "ok");
  CHECK(outcome("2025-01-01", "2025-02-01", 30) == "to:too_long");
}
