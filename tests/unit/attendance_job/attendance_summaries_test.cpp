// The monthly summary job against a real store, audit log and delivery engine, on a clock the test
// moves: not raised the moment before the month is complete, raised at it, once; the next revision
// after a correction; the figures as the store holds them then.
#include "attendance/attendance_summaries.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <future>

#include "attendance/attendance_ledger.h"
#include "delivery_harness.h"
#include "routing/event_publisher.h"
#include "routing/route_table.h"

namespace kp = knutpunkt;
using std::chrono::system_clock;
using namespace std::chrono_literals;

namespace {

const std::string kClient = "case-system";

class SummaryWorld {
 public:
  SummaryWorld()
      : stack(dir.path / "knutpunkt.db"),
        publisher(routes, {}),
        summaries(*stack.engine, *stack.store, publisher, kp::attendance::AttendanceRules{3, 5},
                  [this] { return system_clock::time_point{std::chrono::milliseconds{now_ms.load()}}; }) {
    kp::ReferralRecord r{"R-1",
                         kClient,
                         "EB-1",
                         "jobbtorg",
                         "191212121212",
                         false,
                         "2026-11-01T08:00:00.000Z",
                         {{"start_date", "2026-11-02"},
                          {"extent_hours_per_week", 20},
                          {"person", {{"person_id", "191212121212"}, {"id_kind", "personnummer"}}}}};
    REQUIRE(stack.store->commit({}, {kp::store_write::PutReferral{r}}).has_value());
    stack.start();
  }
  ~SummaryWorld() { stack.shutdown(); }
  SummaryWorld(const SummaryWorld&) = delete;
  SummaryWorld& operator=(const SummaryWorld&) = delete;

  void set_clock(system_clock::time_point t) {
    now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }

  void add_referral(const std::string& id, const std::string& accepted_at, const std::string& start_date) {
    kp::ReferralRecord r{id,
                         kClient,
                         "EB-1",
                         "jobbtorg",
                         "191212121212",
                         false,
                         accepted_at,
                         {{"start_date", start_date},
                          {"extent_hours_per_week", 20},
                          {"person", {{"person_id", "191212121212"}, {"id_kind", "personnummer"}}}}};
    REQUIRE(stack.store->commit({}, {kp::store_write::PutReferral{r}}).has_value());
  }

  void store_day(const std::string& date, int version, nlohmann::json day, const std::string& referral_id = "R-1") {
    day["date"] = date;
    REQUIRE(stack.store
                ->commit({}, {kp::store_write::PutAttendanceDay{kp::AttendanceDayRecord{
                                 referral_id, date, version, -1, day, "m-" + date, "2026-12-01T00:00:00Z"}}})
                .has_value());
  }

  int raise() {
    std::promise<std::expected<int, kp::StoreError>> result;
    auto future = result.get_future();
    summaries.raise_due([&result](auto raised) { result.set_value(std::move(raised)); });
    auto raised = future.get();
    REQUIRE(raised.has_value());
    return *raised;
  }

  // The summaries raised, of one referral when `referral_id` is given.
  std::vector<nlohmann::json> summary_events(const std::string& referral_id = "") {
    std::vector<nlohmann::json> out;
    auto events = stack.store->events_after(kClient, 0, 1000);
    REQUIRE(events.has_value());
    for (const auto& e : *events) {
      if (e.envelope["type"] != kp::attendance::kAttendanceSummary) continue;
      if (referral_id.empty() || e.envelope["correlation_id"] == referral_id) out.push_back(e.envelope);
    }
    return out;
  }

  // The audit records of the summaries raised, oldest first.
  std::vector<kp::AuditRecord> summary_records() {
    std::vector<kp::AuditRecord> out;
    REQUIRE(stack.store
                ->scan_audit(0,
                             [&](const kp::AuditRecord& r) {
                               if (r.kind == kp::attendance::kAttendanceSummary) out.push_back(r);
                               return true;
                             })
                .has_value());
    return out;
  }

  delivery_test::TempDir dir;
  delivery_test::DeliveryStack stack;
  kp::routing::RouteTable routes;
  kp::routing::EventPublisher publisher;
  std::atomic<std::int64_t> now_ms{0};
  kp::attendance::AttendanceSummaries summaries;
};

system_clock::time_point midnight(std::chrono::year_month_day d) {
  return std::chrono::sys_days{d};
}

}  // namespace

TEST_CASE("a month's summary is not raised the moment before its grace ends, is raised at it, and once",
          "[attendance]") {
  SummaryWorld w;
  w.store_day("2026-11-02", 1, {{"attendance", "NARVARANDE"}, {"hours", "4"}});
  w.store_day("2026-11-03", 1, {{"attendance", "FRANVARANDE"}, {"absence_reason", "OGILTIG"}});
  // Grace 5 days: complete from 2026-12-06T00:00Z.
  const auto boundary = midnight(std::chrono::year{2026} / 12 / 6);
  w.set_clock(boundary - 24h);
  CHECK(w.raise() == 0);
  w.set_clock(boundary - 1ms);
  CHECK(w.raise() == 0);
  CHECK(w.summary_events().empty());

  w.set_clock(boundary);
  CHECK(w.raise() == 1);
  auto events = w.summary_events();
  REQUIRE(events.size() == 1);
  const auto& facts = events[0]["facts"];
  CHECK(facts["month"] == "2026-11");
  CHECK(facts["revision"] == 1);
  CHECK(facts["referral_id"] == "R-1");
  CHECK(facts["planned_hours"] == "84");  // 21 weekdays from 2 November at 4 hours
  CHECK(facts["attended_hours"] == "4");
  CHECK(facts["absence"]["OGILTIG"] == nlohmann::json{{"days", 1}, {"hours", "4"}});
  CHECK(events[0]["correlation_id"] == "R-1");
  CHECK(events[0]["subject"]["person_id"] == "191212121212");

  w.set_clock(boundary + 1h);
  CHECK(w.raise() == 0);
  // December completes with nothing reported: its own summary, November's not again.
  w.set_clock(boundary + std::chrono::days{40});
  CHECK(w.raise() == 1);
  CHECK(w.raise() == 0);
  REQUIRE(w.summary_events().size() == 2);
  CHECK(w.summary_events()[1]["facts"]["month"] == "2026-12");
  const auto summary = w.stack.store->attendance_summary("R-1", "2026-11").value();
  REQUIRE(summary.has_value());
  CHECK(summary->revision == 1);
}

TEST_CASE("a correction after the summary raises the next revision with the corrected figures, once", "[attendance]") {
  SummaryWorld w;
  w.store_day("2026-11-03", 1, {{"attendance", "FRANVARANDE"}, {"absence_reason", "OGILTIG"}});
  w.set_clock(midnight(std::chrono::year{2026} / 12 / 10));
  CHECK(w.raise() == 1);
  w.store_day("2026-11-03", 2, {{"attendance", "FRANVARANDE"}, {"absence_reason", "SJUK"}});
  // A late day of December is not yet a complete month.
  w.store_day("2026-12-01", 1, {{"attendance", "NARVARANDE"}, {"hours", "4"}});
  CHECK(w.raise() == 1);
  CHECK(w.raise() == 0);
  const auto events = w.summary_events();
  REQUIRE(events.size() == 2);
  CHECK(events[1]["facts"]["revision"] == 2);
  CHECK(events[1]["facts"]["month"] == "2026-11");
  CHECK(events[1]["facts"]["absence"]["OGILTIG"]["days"] == 0);
  CHECK(events[1]["facts"]["absence"]["SJUK"]["days"] == 1);
  // Each revision is audited with what it said.
  const auto audited = w.summary_records();
  REQUIRE(audited.size() == 2);
  CHECK(audited[0].body["revision"] == 1);
  CHECK(audited[1].body["revision"] == 2);
}

TEST_CASE("a complete month with nothing reported gets one summary saying so; a day reported later revises it",
          "[attendance]") {
  SummaryWorld w;
  // accepted 1 November, starting the 2nd; nothing reported in November.
  const auto november_complete = midnight(std::chrono::year{2026} / 12 / 6);
  w.set_clock(november_complete - 1ms);
  CHECK(w.raise() == 0);
  w.set_clock(november_complete);
  CHECK(w.raise() == 1);
  auto events = w.summary_events("R-1");
  REQUIRE(events.size() == 1);
  const auto& facts = events[0]["facts"];
  CHECK(facts["month"] == "2026-11");
  CHECK(facts["revision"] == 1);
  CHECK(facts["reported_days"] == 0);
  CHECK(facts["attended_days"] == 0);
  CHECK(facts["planned_hours"] == "84");  // 21 weekdays from 2 November at 4 hours
  CHECK(facts["planned_hours_source"] == "derived_from_extent");
  CHECK(facts["absence"]["OGILTIG"] == nlohmann::json{{"days", 0}, {"hours", "0"}});
  // Once: later rounds, and a job started afresh on the same store, raise nothing more for it.
  CHECK(w.raise() == 0);
  kp::attendance::AttendanceSummaries restarted(
      *w.stack.engine, *w.stack.store, w.publisher, kp::attendance::AttendanceRules{3, 5},
      [&w] { return system_clock::time_point{std::chrono::milliseconds{w.now_ms.load()}}; });
  std::promise<std::expected<int, kp::StoreError>> result;
  restarted.raise_due([&result](auto raised) { result.set_value(std::move(raised)); });
  CHECK(result.get_future().get() == 0);

  // Jobbtorg reports a November day after all: the second revision, with the day.
  w.store_day("2026-11-20", 1, {{"attendance", "NARVARANDE"}, {"hours", "4"}});
  CHECK(w.raise() == 1);
  events = w.summary_events("R-1");
  REQUIRE(events.size() == 2);
  CHECK(events[1]["facts"]["revision"] == 2);
  CHECK(events[1]["facts"]["reported_days"] == 1);
  CHECK(w.summary_records().size() == 2);
}

TEST_CASE("months with nothing reported count from the later of start and acceptance, for active referrals only",
          "[attendance]") {
  SummaryWorld w;
  // accepted in November, starting in January. R-3: accepted in November, then withdrawn.
  w.add_referral("R-2", "2026-11-20T10:00:00.000Z", "2027-01-11");
  w.add_referral("R-3", "2026-11-20T10:00:00.000Z", "2026-11-23");
  auto r3 = w.stack.store->referral("R-3").value();
  REQUIRE(r3.has_value());
  r3->version = 2;
  r3->status = kp::kReferralWithdrawn;
  r3->updated_at = "2026-11-25T10:00:00.000Z";
  REQUIRE(w.stack.store->commit({}, {kp::store_write::ChangeReferral{*r3}}).has_value());
  // R-1 reports in December.
  w.store_day("2026-12-01", 1, {{"attendance", "NARVARANDE"}, {"hours", "4"}});

  // Grace 5: January 2027 is complete from 2027-02-06.
  w.set_clock(midnight(std::chrono::year{2027} / 2 / 6));
  CHECK(w.raise() == 4);
  const auto months_of = [&w](const std::string& id) {
    std::vector<std::string> out;
    for (const auto& e : w.summary_events(id)) out.push_back(e["facts"]["month"]);
    return out;
  };
  std::vector<std::string> r1 = months_of("R-1");
  std::sort(r1.begin(), r1.end());
  CHECK(r1 == std::vector<std::string>{"2026-11", "2026-12", "2027-01"});
  CHECK(months_of("R-2") == std::vector<std::string>{"2027-01"});
  CHECK(months_of("R-3").empty());
  const auto r2 = w.summary_events("R-2");
  REQUIRE(r2.size() == 1);
  CHECK(r2[0]["facts"]["planned_hours"] == "60");  // 15 weekdays from Monday 11 January at 4 hours
}

TEST_CASE("after Jobbtorg ends the referral, no later month is summarised for having nothing reported",
          "[attendance]") {
  SummaryWorld w;
  REQUIRE(w.stack.store
              ->commit({}, {kp::store_write::PutReferralReport{kp::ReferralReportRecord{
                               "R-1", "jobbtorg", "m-avslut", "AVSLUT", "", "2026-12-15T09:00:00.000Z", 0}}})
              .has_value());
  w.set_clock(midnight(std::chrono::year{2027} / 3 / 10));
  CHECK(w.raise() == 2);
  std::vector<std::string> months;
  for (const auto& e : w.summary_events("R-1")) months.push_back(e["facts"]["month"]);
  std::sort(months.begin(), months.end());
  CHECK(months == std::vector<std::string>{"2026-11", "2026-12"});
}
