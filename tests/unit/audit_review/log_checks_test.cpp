#include "audit_review/log_checks.h"

#include <catch2/catch.hpp>

using knutpunkt::audit_review::outside_office_hours;

TEST_CASE("office hours are 07.00 to 19.00 Swedish time on weekdays, summer time included") {
  // Tuesday 2026-11-24, winter time (UTC+1).
  CHECK_FALSE(outside_office_hours("2026-11-24T06:00:00Z"));  // 07.00
  CHECK(outside_office_hours("2026-11-24T05:59:59Z"));        // 06.59
  CHECK_FALSE(outside_office_hours("2026-11-24T17:59:59Z"));  // 18.59
  CHECK(outside_office_hours("2026-11-24T18:00:00Z"));        // 19.00
  // Wednesday 2026-06-17, summer time (UTC+2).
  CHECK_FALSE(outside_office_hours("2026-06-17T05:00:00Z"));  // 07.00
  CHECK(outside_office_hours("2026-06-17T04:59:00Z"));        // 06.59
  CHECK(outside_office_hours("2026-06-17T17:00:00Z"));        // 19.00
  // Saturday and Sunday, whatever the hour.
  CHECK(outside_office_hours("2026-11-28T10:00:00Z"));
  CHECK(outside_office_hours("2026-11-29T10:00:00Z"));
  // The switch to summer time, last Sunday of March (2026-03-29 01:00 UTC): Monday 30 March.
  CHECK_FALSE(outside_office_hours("2026-03-30T05:00:00Z"));  // 07.00 summer time
  // Not a time: not reported.
  CHECK_FALSE(outside_office_hours("yesterday"));
}
