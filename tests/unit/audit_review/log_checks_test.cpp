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

#include "audit_test_support.h"

TEST_CASE("a log check reads past a record whose body was edited into something else, and still finds the rest") {
  audit_test::TempDir dir;
  auto store = audit_test::open_store(dir.path / "k.db");
  auto log = knutpunkt::AuditLog::open(*store);
  REQUIRE(log.has_value());
  REQUIRE(audit_test::append_and_wait(**log, "lookup",
                                      {{"protected_identity", true}, {"person", {{"id", "198112189876"}}},
                                       {"legal_ground", "consent"}, {"sources", {{"HANDLINGSPLAN", {{"status", "ok"}}}}}}));
  REQUIRE(audit_test::append_and_wait(**log, "lookup", {{"protected_identity", "yes"}, {"sources", 7}}));
  (*log)->stop();
  audit_test::tamper(dir.path / "k.db", "UPDATE audit_log SET body = '[1,2,3]' WHERE seq = 2;");
  auto reopened = audit_test::open_store(dir.path / "k.db");
  for (const auto& report : knutpunkt::audit_review::reports()) {
    auto ran = knutpunkt::audit_review::run_report(*reopened, report.name, "2000-01-01T00:00:00.000Z", "");
    REQUIRE(ran.has_value());
  }
  auto protected_lookups = knutpunkt::audit_review::run_report(*reopened, "protected_person_lookups", "2000-01-01T00:00:00.000Z", "");
  REQUIRE(protected_lookups->rows.size() == 1);
  CHECK(protected_lookups->rows[0]["person"] == "198112189876");
  auto without_consent = knutpunkt::audit_review::run_report(*reopened, "consent_without_valid_consent", "2000-01-01T00:00:00.000Z", "");
  REQUIRE(without_consent->rows.size() == 1);
  CHECK(without_consent->rows[0]["finding"] == "answered_without_consent:HANDLINGSPLAN");
}
