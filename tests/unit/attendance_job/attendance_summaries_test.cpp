// The monthly summary job against a real store, audit log and delivery engine, on a clock the test
// moves: not raised the moment before the month is complete, raised at it, once; the next revision
// after a correction; the figures as the store holds them then.
#include "attendance/attendance_summaries.h"

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

  void store_day(const std::string& date, int version, nlohmann::json day) {
    day["date"] = date;
    REQUIRE(stack.store
                ->commit({}, {kp::store_write::PutAttendanceDay{kp::AttendanceDayRecord{
                                 "R-1", date, version, -1, day, "m-" + date, "2026-12-01T00:00:00Z"}}})
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

  std::vector<nlohmann::json> summary_events() {
    std::vector<nlohmann::json> out;
    auto events = stack.store->events_after(kClient, 0, 1000);
    REQUIRE(events.has_value());
    for (const auto& e : *events) {
      if (e.envelope["type"] == kp::attendance::kAttendanceSummary) out.push_back(e.envelope);
    }
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
  w.set_clock(boundary + std::chrono::days{40});
  CHECK(w.raise() == 0);
  CHECK(w.summary_events().size() == 1);
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
  int audited = 0;
  REQUIRE(w.stack.store
              ->scan_audit(0,
                           [&](const kp::AuditRecord& r) {
                             if (r.kind == kp::attendance::kAttendanceSummary) {
                               ++audited;
                               CHECK(r.body["revision"] == audited);
                             }
                             return true;
                           })
              .has_value());
  CHECK(audited == 2);
}
