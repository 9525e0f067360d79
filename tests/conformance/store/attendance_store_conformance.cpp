// AttendanceStore on every backend: a day kept as last reported, its version following the one
// stored, months counting their changes, summaries by revision, the summary scan page by page,
// and the absence flag once.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "conformance_support.h"
#include "store_backends.h"

using namespace knutpunkt;
using knutpunkt::conformance::BackendStore;
using knutpunkt::conformance::commit_ok;

namespace {

// Commits `writes` with one audit record as the audit log does (commit_sealed) and returns why
// the entry was refused, if it was.
std::optional<StoreError> refusal(Store& store, std::vector<StoreWrite> writes) {
  std::vector<CommitEntry> batch{
      {AuditRecord{0, "2026-12-01T10:00:00.000Z", "referral.report_received", {{"n", 1}}, "", ""},
       std::move(writes),
       std::nullopt,
       {}}};
  auto ok = store.commit_sealed(batch, [](AuditRecord& r, const std::optional<AuditChainTip>& tip) {
    r.seq = tip ? tip->seq + 1 : 1;
    r.prev_hash = tip ? tip->hash : "";
    r.hash = "h" + std::to_string(r.seq);
  });
  REQUIRE(ok.has_value());
  return batch[0].refused;
}

AttendanceDayRecord day(const std::string& referral_id, const std::string& date, int version,
                        const std::string& attendance = "NARVARANDE", std::int64_t partner_version = -1) {
  return AttendanceDayRecord{referral_id,
                             date,
                             version,
                             partner_version,
                             {{"date", date}, {"attendance", attendance}},
                             "m-" + date + "-" + std::to_string(version),
                             "2026-12-01T10:00:00.000Z"};
}

store_write::PutAttendanceSummary summary(const std::string& referral_id, const std::string& month, int revision,
                                          int covers) {
  return {AttendanceSummaryRecord{
              referral_id, month, revision, {{"month", month}, {"revision", revision}}, "2026-12-10T06:00:00.000Z"},
          covers};
}

std::vector<std::string> keys(const std::vector<AttendanceMonthRecord>& months) {
  std::vector<std::string> out;
  for (const auto& m : months) out.push_back(m.referral_id + "/" + m.month);
  return out;
}

}  // namespace

TEST_CASE("an attendance day is kept as last reported and its month counts every change") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {store_write::PutAttendanceDay{day("R-1", "2026-11-02", 1)},
                     store_write::PutAttendanceDay{day("R-1", "2026-11-03", 1)},
                     store_write::PutAttendanceDay{day("R-1", "2026-12-01", 1)}});
  commit_ok(*store, {store_write::PutAttendanceDay{day("R-1", "2026-11-02", 2, "FRANVARANDE", 4)}});

  const auto november = store->attendance_days("R-1", "2026-11").value();
  REQUIRE(november.size() == 2);
  CHECK(november[0].date == "2026-11-02");
  CHECK(november[0].version == 2);
  CHECK(november[0].partner_version == 4);
  CHECK(november[0].day["attendance"] == "FRANVARANDE");
  CHECK(november[0].partner_message_id == "m-2026-11-02-2");
  CHECK(november[1].version == 1);
  CHECK(november[1].partner_version == -1);
  CHECK(store->attendance_days("R-1", "2026-12").value().size() == 1);
  CHECK(store->attendance_days("R-2", "2026-11").value().empty());

  const auto month = store->attendance_month("R-1", "2026-11").value();
  REQUIRE(month.has_value());
  CHECK(month->changes == 3);
  CHECK(month->summarised_changes == 0);
  CHECK(month->summary_revision == 0);
  CHECK(month->absence_flagged_at.empty());
  CHECK(store->attendance_month("R-1", "2026-10").value() == std::nullopt);
}

TEST_CASE("a day decided on from a stale copy fails the whole commit") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {store_write::PutAttendanceDay{day("R-1", "2026-11-02", 1)}});
  // Another report also took the day for new.
  const auto again = refusal(*store, {store_write::PutAttendanceDay{day("R-1", "2026-11-03", 1)},
                                      store_write::PutAttendanceDay{day("R-1", "2026-11-02", 1, "FRANVARANDE")}});
  REQUIRE(again.has_value());
  CHECK(again->code == "conflict");
  // Nor may a version be skipped.
  CHECK(refusal(*store, {store_write::PutAttendanceDay{day("R-1", "2026-11-02", 3)}}).has_value());
  // The version after the stored one is taken.
  CHECK_FALSE(refusal(*store, {store_write::PutAttendanceDay{day("R-1", "2026-11-04", 1)}}).has_value());
  const auto days = store->attendance_days("R-1", "2026-11").value();
  REQUIRE(days.size() == 2);
  CHECK(days[0].day["attendance"] == "NARVARANDE");
  CHECK(store->attendance_month("R-1", "2026-11").value()->changes == 2);
}

TEST_CASE("a summary covers the changes it saw; a later change makes the month due again") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {store_write::PutAttendanceDay{day("R-1", "2026-11-02", 1)},
                     store_write::PutAttendanceDay{day("R-2", "2026-10-30", 1)},
                     store_write::PutAttendanceDay{day("R-2", "2026-11-05", 1)},
                     store_write::PutAttendanceDay{day("R-2", "2026-12-01", 1)}});
  CHECK(keys(store->attendance_months_to_summarise("2026-11", "", "", 10).value()) ==
        std::vector<std::string>{"R-1/2026-11", "R-2/2026-10", "R-2/2026-11"});
  // Page by page.
  CHECK(keys(store->attendance_months_to_summarise("2026-11", "", "", 2).value()) ==
        std::vector<std::string>{"R-1/2026-11", "R-2/2026-10"});
  CHECK(keys(store->attendance_months_to_summarise("2026-11", "R-2", "2026-10", 2).value()) ==
        std::vector<std::string>{"R-2/2026-11"});

  commit_ok(*store, {summary("R-1", "2026-11", 1, 1)});
  CHECK(store->attendance_month("R-1", "2026-11").value()->summary_revision == 1);
  CHECK(store->attendance_summary("R-1", "2026-11").value()->revision == 1);
  CHECK(keys(store->attendance_months_to_summarise("2026-11", "", "", 10).value()) ==
        std::vector<std::string>{"R-2/2026-10", "R-2/2026-11"});

  commit_ok(*store, {store_write::PutAttendanceDay{day("R-1", "2026-11-02", 2, "FRANVARANDE")}});
  CHECK(keys(store->attendance_months_to_summarise("2026-11", "", "", 1).value()) ==
        std::vector<std::string>{"R-1/2026-11"});
  commit_ok(*store, {summary("R-1", "2026-11", 2, 2)});
  const auto latest = store->attendance_summary("R-1", "2026-11").value();
  REQUIRE(latest.has_value());
  CHECK(latest->revision == 2);
  CHECK(latest->summary["revision"] == 2);
  CHECK(store->attendance_summary("R-1", "2026-12").value() == std::nullopt);

  // A revision is stored once.
  const auto twice = refusal(*store, {summary("R-1", "2026-11", 2, 2)});
  REQUIRE(twice.has_value());
  CHECK(twice->code == "conflict");
  REQUIRE_FALSE(store->commit({}, {summary("R-1", "2026-11", 2, 2)}).has_value());
}

TEST_CASE("a month is flagged for unexcused absence once") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {store_write::PutAttendanceDay{day("R-1", "2026-11-02", 1, "FRANVARANDE")},
                     store_write::PutAbsenceFlag{"R-1", "2026-11", "2026-11-02T16:00:00.000Z"}});
  CHECK(store->attendance_month("R-1", "2026-11").value()->absence_flagged_at == "2026-11-02T16:00:00.000Z");
  CHECK(store->attendance_month("R-1", "2026-11").value()->changes == 1);
  const auto again = refusal(*store, {store_write::PutAbsenceFlag{"R-1", "2026-11", "2026-11-05T16:00:00.000Z"}});
  REQUIRE(again.has_value());
  CHECK(again->code == "conflict");
  CHECK(store->attendance_month("R-1", "2026-11").value()->absence_flagged_at == "2026-11-02T16:00:00.000Z");
}

TEST_CASE("a month's flag is withdrawn only as the flag it was raised as, and may then be raised again") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const std::string first = "2026-11-02T16:00:00.000Z", second = "2026-11-09T16:00:00.000Z";
  // No flag to withdraw.
  const auto none = refusal(*store, {store_write::WithdrawAbsenceFlag{"R-1", "2026-11", first}});
  REQUIRE(none.has_value());
  CHECK(none->code == "conflict");
  commit_ok(*store, {store_write::PutAttendanceDay{day("R-1", "2026-11-02", 1, "FRANVARANDE")},
                     store_write::PutAbsenceFlag{"R-1", "2026-11", first}});
  // Another flag than the one stored.
  const auto other = refusal(*store, {store_write::WithdrawAbsenceFlag{"R-1", "2026-11", second}});
  REQUIRE(other.has_value());
  CHECK(other->code == "conflict");
  CHECK(store->attendance_month("R-1", "2026-11").value()->absence_flagged_at == first);

  CHECK_FALSE(refusal(*store, {store_write::WithdrawAbsenceFlag{"R-1", "2026-11", first}}).has_value());
  const auto withdrawn = store->attendance_month("R-1", "2026-11").value();
  REQUIRE(withdrawn.has_value());
  CHECK(withdrawn->absence_flagged_at.empty());
  CHECK(withdrawn->changes == 1);
  // Withdrawn once: a second withdrawal of it fails; a new flag is taken.
  CHECK(refusal(*store, {store_write::WithdrawAbsenceFlag{"R-1", "2026-11", first}}).has_value());
  commit_ok(*store, {store_write::PutAbsenceFlag{"R-1", "2026-11", second}});
  CHECK(store->attendance_month("R-1", "2026-11").value()->absence_flagged_at == second);
}

TEST_CASE("every month the store tracks for a referral reads back by month") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  CHECK(store->attendance_months_of("R-1").value().empty());
  commit_ok(*store, {store_write::PutAttendanceDay{day("R-1", "2026-12-01", 1)},
                     store_write::PutAttendanceDay{day("R-1", "2026-10-30", 1)},
                     store_write::PutAttendanceDay{day("R-2", "2026-11-05", 1)}});
  // A summary of a month with nothing reported tracks that month too.
  commit_ok(*store, {summary("R-1", "2026-11", 1, 0)});
  const auto months = store->attendance_months_of("R-1").value();
  CHECK(keys(months) == std::vector<std::string>{"R-1/2026-10", "R-1/2026-11", "R-1/2026-12"});
  REQUIRE(months.size() == 3);
  CHECK(months[1].changes == 0);
  CHECK(months[1].summary_revision == 1);
  // Nothing reported and summarised once: not due again.
  CHECK(keys(store->attendance_months_to_summarise("2026-12", "", "", 10).value()) ==
        std::vector<std::string>{"R-1/2026-10", "R-1/2026-12", "R-2/2026-11"});
  // A day reported afterwards makes the next revision due.
  commit_ok(*store, {store_write::PutAttendanceDay{day("R-1", "2026-11-20", 1)}});
  const auto later = store->attendance_month("R-1", "2026-11").value();
  REQUIRE(later.has_value());
  CHECK(later->changes == 1);
  CHECK(later->summarised_changes == 0);
  CHECK(later->summary_revision == 1);
}
