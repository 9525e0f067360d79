#include "policy/period.h"

#include <catch2/catch.hpp>

using namespace std::chrono;
using knutpunkt::policy::parse_period;

namespace {
std::string outcome(std::string_view from, std::string_view to, months max = knutpunkt::policy::kMaxRequestPeriod) {
  auto period = parse_period(from, to, max);
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

TEST_CASE("a period is within a limit up to the same calendar day that many months later") {
  // LEFI's two years: 2024-01-01 .. 2026-01-01 is allowed, one day more is not.
  CHECK(outcome("2024-01-01", "2026-01-01", months{24}) == "ok");
  CHECK(outcome("2024-01-01", "2026-01-02", months{24}) == "to:too_long");
  CHECK(outcome("2025-03-01", "2027-03-01", months{24}) == "ok");
  CHECK(outcome("2025-03-01", "2027-03-02", months{24}) == "to:too_long");
  // 29 February two years on does not exist: the limit rolls over to 1 March.
  CHECK(outcome("2024-02-29", "2026-03-01", months{24}) == "ok");
  CHECK(outcome("2024-02-29", "2026-03-02", months{24}) == "to:too_long");
  // Month ends: 31 January plus one month rolls past the end of February.
  CHECK(outcome("2025-01-31", "2025-03-03", months{1}) == "ok");
  CHECK(outcome("2025-01-31", "2025-03-04", months{1}) == "to:too_long");
}

TEST_CASE("without a partner limit a request may name at most ten years") {
  CHECK(outcome("2015-01-01", "2025-01-01") == "ok");
  CHECK(outcome("2015-01-01", "2025-01-02") == "to:too_long");
}
