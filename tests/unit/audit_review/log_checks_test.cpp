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

#include "core/clock.h"

namespace {

// Audit records as the gateway writes them for the steps of the self-authorisation pattern, at
// `minutes` after `base`; only what the log check reads is filled in.
struct StepRecords {
  explicit StepRecords(std::chrono::system_clock::time_point at) : base(at) {}

  std::chrono::system_clock::time_point base;
  std::int64_t seq = 0;
  std::vector<knutpunkt::AuditRecord> records;

  void add(int minutes, const std::string& kind, nlohmann::json body) {
    records.push_back(
        {++seq, knutpunkt::format_utc(base + std::chrono::minutes{minutes}), kind, std::move(body), "", ""});
  }
  void case_registered(int minutes, const std::string& client, const std::string& person) {
    add(minutes, "case.registered",
        {{"client", client},
         {"organisation", "org-" + client},
         {"case_id", "EB-1"},
         {"status", "open"},
         {"household", {person}}});
  }
  void consent_recorded(int minutes, const std::string& client, const std::string& person) {
    add(minutes, "consent.recorded",
        {{"client", client}, {"person_id", person}, {"partner", "arbetsformedlingen"}, {"case_id", "EB-1"}});
  }
  void lookup(int minutes, const std::string& client, const std::string& person) {
    add(minutes, "lookup",
        {{"client", client},
         {"adapter", "arbetsformedlingen"},
         {"case_id", "EB-1"},
         {"person", {{"id", person}, {"kind", "personnummer"}}},
         {"outcome", "complete"}});
  }
};

const std::string kPerson = "191212121212";

}  // namespace

TEST_CASE(
    "a client registering a case, recording a consent and looking the person up within minutes is flagged, without the "
    "person") {
  audit_test::TempDir dir;
  auto store = audit_test::open_store(dir.path / "k.db");
  // Computed from the clock, not a calendar day: what counts is the spacing.
  StepRecords steps{std::chrono::floor<std::chrono::hours>(std::chrono::system_clock::now()) - std::chrono::hours{48}};
  steps.case_registered(0, "jobbtorg-portal", kPerson);
  steps.consent_recorded(2, "jobbtorg-portal", kPerson);
  steps.lookup(4, "jobbtorg-portal", kPerson);
  REQUIRE(store->append_audit(steps.records).has_value());

  const std::string since = knutpunkt::format_utc(steps.base - std::chrono::hours{1});
  auto report = knutpunkt::audit_review::run_report(*store, "self_authorisation", since, "");
  REQUIRE(report.has_value());
  REQUIRE(report->rows.size() == 1);
  const auto& row = report->rows[0];
  CHECK(row["client"] == "jobbtorg-portal");
  CHECK(row["case_id"] == "EB-1");
  CHECK(row["partner"] == "arbetsformedlingen");
  CHECK(row["minutes"] == 4);
  CHECK(row["case_seq"] == 1);
  CHECK(row["consent_seq"] == 2);
  CHECK(row["seq"] == 3);
  // No personnummer anywhere in what the auditor's report shows or exports.
  CHECK(report->rows[0].dump().find(kPerson) == std::string::npos);
  for (const auto& column : report->columns) CHECK(column.key != "person");

  // A narrower window set by the caller leaves the same steps out.
  knutpunkt::audit_review::ReportSettings narrow;
  narrow.self_authorisation_window = std::chrono::minutes{3};
  CHECK(knutpunkt::audit_review::run_report(*store, "self_authorisation", since, "", narrow)->rows.empty());
}

TEST_CASE("the same steps spread over hours, by different clients or about different persons are not flagged") {
  audit_test::TempDir dir;
  auto store = audit_test::open_store(dir.path / "k.db");
  StepRecords steps{std::chrono::floor<std::chrono::hours>(std::chrono::system_clock::now()) - std::chrono::hours{48}};
  // A caseworker's ordinary day: the case in the morning, the consent at noon, the lookup later.
  steps.case_registered(0, "stockholm-ekb", kPerson);
  steps.consent_recorded(180, "stockholm-ekb", kPerson);
  steps.lookup(300, "stockholm-ekb", kPerson);
  // Another client's lookup right after someone else's case and consent.
  steps.case_registered(400, "stockholm-ekb", "197010632391");
  steps.consent_recorded(401, "stockholm-ekb", "197010632391");
  steps.lookup(402, "other-client", "197010632391");
  // A lookup of another person than the one the case and consent are about.
  steps.case_registered(500, "jobbtorg-portal", "198112189876");
  steps.consent_recorded(501, "jobbtorg-portal", "198112189876");
  steps.lookup(502, "jobbtorg-portal", kPerson);
  // A lookup before the consent is recorded.
  steps.case_registered(600, "stockholm-ekb", "194107086995");
  steps.lookup(601, "stockholm-ekb", "194107086995");
  steps.consent_recorded(602, "stockholm-ekb", "194107086995");
  REQUIRE(store->append_audit(steps.records).has_value());

  auto report = knutpunkt::audit_review::run_report(*store, "self_authorisation",
                                                    knutpunkt::format_utc(steps.base - std::chrono::hours{1}), "");
  REQUIRE(report.has_value());
  CHECK(report->rows.empty());
}
