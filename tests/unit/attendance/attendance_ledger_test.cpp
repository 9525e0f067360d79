// The ledger decides on a report's days against the days stored (a real SQLite store on a
// temporary file): what each day becomes, and when unexcused absence flags the month.
#include "attendance/attendance_ledger.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "store/sqlite/sqlite_store.h"

using namespace knutpunkt;
using namespace knutpunkt::attendance;
using nlohmann::json;

namespace {

struct LedgerFixture {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  ReferralRecord referral{
      "R-1",          "case-system", "EB-1", "jobbtorg",
      "191212121212", false,         "t",    json{{"start_date", "2026-11-02"}, {"extent_hours_per_week", 20}}};

  LedgerFixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "knutpunkt-attendance-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    auto opened = open_sqlite_store(dir / "k.db");
    REQUIRE(opened.has_value());
    store = std::move(*opened);
  }
  ~LedgerFixture() { std::filesystem::remove_all(dir); }
  LedgerFixture(const LedgerFixture&) = delete;
  LedgerFixture& operator=(const LedgerFixture&) = delete;

  // Decides and stores what was decided, as the report's commit would.
  AttendanceDecision report(std::vector<ReportedEvent> events, AttendanceRules rules = {}) {
    AttendanceLedger ledger(*store, rules);
    auto decided = ledger.decide(referral, "m-" + std::to_string(++reports), std::move(events), "2026-12-01T10:00:00Z");
    REQUIRE(decided.has_value());
    REQUIRE(store->commit({}, decided->writes).has_value());
    return std::move(*decided);
  }
  int reports = 0;
};

ReportedEvent attendance_event(const std::string& date, const std::string& attendance, json extra = json::object()) {
  json facts = {{"referral_id", "R-1"}, {"date", date}, {"attendance", attendance}};
  facts.update(extra);
  return ReportedEvent{kAttendance, date, facts};
}

ReportedEvent unexcused(const std::string& date) {
  return attendance_event(date, "FRANVARANDE", {{"absence_reason", "OGILTIG"}, {"absence_reported", false}});
}

std::vector<std::string> types(const AttendanceDecision& d) {
  std::vector<std::string> out;
  for (const auto& e : d.events) out.push_back(e.type);
  return out;
}

}  // namespace

TEST_CASE("a date a report names twice is taken as its last entry, once", "[attendance]") {
  LedgerFixture f;
  const auto decided = f.report({attendance_event("2026-11-02", "NARVARANDE", {{"hours", "4"}}),
                                 attendance_event("2026-11-02", "FRANVARANDE", {{"absence_reason", "SJUK"}})});
  CHECK(types(decided) == std::vector<std::string>{kAttendance});
  CHECK(decided.events[0].facts["attendance"] == "FRANVARANDE");
  CHECK(decided.audit["days"][0]["taken_as"] == "superseded_in_report");
  CHECK(f.store->attendance_days("R-1", "2026-11").value().size() == 1);
}

TEST_CASE("the report's other events pass through unchanged, in their order", "[attendance]") {
  LedgerFixture f;
  const ReportedEvent ended{"referral.ended", "2026-11-30", {{"referral_id", "R-1"}}};
  const auto decided = f.report({attendance_event("2026-11-02", "NARVARANDE", {{"hours", "4"}}), ended});
  CHECK(types(decided) == std::vector<std::string>{kAttendance, "referral.ended"});
}

TEST_CASE("an older version of a day arriving late publishes nothing and stores nothing", "[attendance]") {
  LedgerFixture f;
  f.report({attendance_event("2026-11-02", "NARVARANDE", {{"hours", "4"}, {"version", 1}})});
  f.report({attendance_event("2026-11-02", "FRANVARANDE", {{"absence_reason", "VAB"}, {"version", 3}})});
  const auto late =
      f.report({attendance_event("2026-11-02", "FRANVARANDE", {{"absence_reason", "SJUK"}, {"version", 2}})});
  CHECK(late.events.empty());
  CHECK(late.writes.empty());
  CHECK(late.audit["days"][0]["taken_as"] == "stale");
  const auto stored = f.store->attendance_days("R-1", "2026-11").value();
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].version == 2);
  CHECK(stored[0].day["absence_reason"] == "VAB");
}

TEST_CASE("unexcused absence flags the month when the stored days and the report's reach the threshold, once",
          "[attendance]") {
  LedgerFixture f;
  CHECK(types(f.report({unexcused("2026-11-02"), unexcused("2026-11-03")})) ==
        std::vector<std::string>{kAttendance, kAttendance});
  // Another month's unexcused day does not count towards November.
  CHECK(types(f.report({unexcused("2026-12-01")})) == std::vector<std::string>{kAttendance});
  const auto third = f.report({unexcused("2026-11-04")});
  REQUIRE(types(third) == std::vector<std::string>{kAttendance, kAbsenceFlagged});
  CHECK(third.events[1].facts["month"] == "2026-11");
  CHECK(third.events[1].facts["unexcused_days"] == 3);
  CHECK(third.events[1].facts["dates"] == json{"2026-11-02", "2026-11-03", "2026-11-04"});
  CHECK(third.events[1].occurred_at == "2026-11-04");
  CHECK(types(f.report({unexcused("2026-11-05")})) == std::vector<std::string>{kAttendance});
}

TEST_CASE("a day corrected away from unexcused absence does not count towards the flag", "[attendance]") {
  LedgerFixture f;
  f.report({unexcused("2026-11-02"), unexcused("2026-11-03")}, AttendanceRules{3, 5});
  const auto corrected =
      f.report({attendance_event("2026-11-03", "FRANVARANDE", {{"absence_reason", "SJUK"}}), unexcused("2026-11-04")},
               AttendanceRules{3, 5});
  CHECK(types(corrected) == std::vector<std::string>{kAttendanceCorrected, kAttendance});
  CHECK(corrected.events[0].facts["previous"]["absence_reason"] == "OGILTIG");
  // A lower threshold from the configuration flags at two.
  LedgerFixture g;
  CHECK(types(g.report({unexcused("2026-11-02"), unexcused("2026-11-03")}, AttendanceRules{2, 5})) ==
        std::vector<std::string>{kAttendance, kAttendance, kAbsenceFlagged});
}

TEST_CASE("a correction bringing a flagged month below the threshold withdraws its flag; a new crossing flags again",
          "[attendance]") {
  LedgerFixture f;
  const auto flagged = f.report({unexcused("2026-11-02"), unexcused("2026-11-03"), unexcused("2026-11-04")});
  REQUIRE(types(flagged).back() == kAbsenceFlagged);
  CHECK(flagged.events.back().facts["flagged_at"] == "2026-12-01T10:00:00Z");
  CHECK(f.store->attendance_month("R-1", "2026-11").value()->absence_flagged_at == "2026-12-01T10:00:00Z");

  // Jobbtorg corrects one unexcused day to a valid reason: two are left, below three.
  const auto corrected =
      f.report({attendance_event("2026-11-03", "FRANVARANDE", {{"absence_reason", "GILTIG_ANNAN"}})});
  REQUIRE(types(corrected) == std::vector<std::string>{kAttendanceCorrected, kAbsenceFlagWithdrawn});
  const json& withdrawn = corrected.events[1].facts;
  CHECK(withdrawn["month"] == "2026-11");
  CHECK(withdrawn["unexcused_days"] == 2);
  CHECK(withdrawn["threshold"] == 3);
  CHECK(withdrawn["flagged_at"] == "2026-12-01T10:00:00Z");
  CHECK(withdrawn["dates"] == json{"2026-11-02", "2026-11-04"});
  CHECK(corrected.events[1].occurred_at == "2026-11-03");
  CHECK(corrected.audit["absence_flag_withdrawn"][0]["flagged_at"] == "2026-12-01T10:00:00Z");
  CHECK(f.store->attendance_month("R-1", "2026-11").value()->absence_flagged_at.empty());

  // Still below: nothing more to withdraw.
  CHECK(types(f.report({attendance_event("2026-11-04", "FRANVARANDE", {{"absence_reason", "SJUK"}})})) ==
        std::vector<std::string>{kAttendanceCorrected});
  // Reaching the threshold again is a new flag, raised once.
  CHECK(types(f.report({unexcused("2026-11-05")})) == std::vector<std::string>{kAttendance});
  const auto again = f.report({unexcused("2026-11-06")});
  REQUIRE(types(again) == std::vector<std::string>{kAttendance, kAbsenceFlagged});
  CHECK(again.events[1].facts["dates"] == json{"2026-11-02", "2026-11-05", "2026-11-06"});
  CHECK(types(f.report({unexcused("2026-11-09")})) == std::vector<std::string>{kAttendance});
}

TEST_CASE("a withdrawal decided on a flag another report has replaced since fails the commit", "[attendance]") {
  LedgerFixture f;
  f.report({unexcused("2026-11-02"), unexcused("2026-11-03"), unexcused("2026-11-04")});
  AttendanceLedger ledger(*f.store, AttendanceRules{});
  auto stale = ledger.decide(f.referral, "m-stale", {attendance_event("2026-11-02", "NARVARANDE", {{"hours", "4"}})},
                             "2026-12-02T10:00:00Z");
  REQUIRE(stale.has_value());
  REQUIRE(types(*stale).back() == kAbsenceFlagWithdrawn);
  // Meanwhile the flag was withdrawn and raised again by other reports.
  REQUIRE(
      f.store->commit({}, {store_write::WithdrawAbsenceFlag{"R-1", "2026-11", "2026-12-01T10:00:00Z"}}).has_value());
  REQUIRE(f.store->commit({}, {store_write::PutAbsenceFlag{"R-1", "2026-11", "2026-12-01T11:00:00Z"}}).has_value());
  // As the audit log commits it: with its record, refused as a conflict, nothing of it stored.
  std::vector<CommitEntry> batch{
      {AuditRecord{0, "2026-12-02T10:00:00Z", "referral.report_received", {{"n", 1}}, "", ""},
       stale->writes,
       std::nullopt,
       {}}};
  REQUIRE(f.store
              ->commit_sealed(batch,
                              [](AuditRecord& r, const std::optional<AuditChainTip>& tip) {
                                r.seq = tip ? tip->seq + 1 : 1;
                                r.prev_hash = tip ? tip->hash : "";
                                r.hash = "h" + std::to_string(r.seq);
                              })
              .has_value());
  REQUIRE(batch[0].refused.has_value());
  CHECK(batch[0].refused->code == "conflict");
  CHECK(f.store->attendance_days("R-1", "2026-11").value()[0].version == 1);
  CHECK(f.store->attendance_month("R-1", "2026-11").value()->absence_flagged_at == "2026-12-01T11:00:00Z");
}
