// Attendance that supports decisions, through the real gateway binary, the Jobbtorg simulator and
// a case system: a corrected day, the month's summary exact after corrections, the flag for
// unexcused absence and its withdrawal, a withdrawn referral's days left unstored, and a month
// with nothing reported summarised as such. Dates are counted from the clock the test runs under:
// the days reported lie in the month before this one, which is complete with a grace of zero days,
// or the gateway's clock for months is moved (knutpunkt-moved-clock).
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "core/clock.h"
#include "referral_harness.h"

using namespace knutpunkt::testing;
using namespace std::chrono_literals;

namespace {

using std::chrono::sys_days;
using std::chrono::year_month;
using std::chrono::year_month_day;

year_month this_month() {
  const year_month_day today{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  return today.year() / today.month();
}

year_month last_month() {
  return this_month() - std::chrono::months{1};
}

std::string date_in(year_month month, unsigned day) {
  return knutpunkt::format_utc(sys_days{month / std::chrono::day{day}}).substr(0, 10);
}

std::string month_text(year_month month) {
  return date_in(month, 1).substr(0, 7);
}

bool is_weekday(sys_days d) {
  const std::chrono::weekday w{d};
  return w != std::chrono::Saturday && w != std::chrono::Sunday;
}

// The first `n` weekdays of `month`, as dates.
std::vector<std::string> weekdays_of(year_month month, std::size_t n) {
  std::vector<std::string> out;
  for (sys_days d{month / 1}; out.size() < n; d += std::chrono::days{1}) {
    if (is_weekday(d)) out.push_back(knutpunkt::format_utc(d).substr(0, 10));
  }
  return out;
}

int weekdays_in(year_month month) {
  int n = 0;
  for (sys_days d{month / 1}; d < sys_days{(month + std::chrono::months{1}) / 1}; d += std::chrono::days{1}) {
    n += is_weekday(d) ? 1 : 0;
  }
  return n;
}

std::vector<nlohmann::json> feed(ReferralHarness& h) {
  std::vector<nlohmann::json> events;
  std::string cursor = "0";
  for (;;) {
    auto page = h.gateway_get("/v1/events?limit=200&after=" + cursor, kCaseSystemToken);
    REQUIRE(page.status == 200);
    for (const auto& e : page.body["events"]) events.push_back(e);
    cursor = page.body["next_cursor"];
    if (!page.body["has_more"].get<bool>()) return events;
  }
}

std::vector<nlohmann::json> events_of(ReferralHarness& h, const std::string& referral_id, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (auto& e : feed(h)) {
    if (e["correlation_id"] == referral_id && e["type"] == type) out.push_back(e);
  }
  return out;
}

std::string refer_from(ReferralHarness& h, const std::string& start_date) {
  auto request = referral_request();
  request["start_date"] = start_date;
  const auto accepted = h.refer(request);
  REQUIRE(accepted.status == 202);
  return accepted.body["referral_id"];
}

nlohmann::json narvaro(const std::vector<nlohmann::json>& days) {
  std::string from = days.front()["datum"], to = days.back()["datum"];
  return {{"typ", "NARVARO"}, {"narvaro", {{"periodFrom", from}, {"periodTom", to}, {"dagar", days}}}};
}

// Jobbtorg sends the report; the gateway's answer as the simulator saw it.
nlohmann::json send(ReferralHarness& h, const std::string& referral_id, const nlohmann::json& report) {
  auto reply = h.jobbtorg_report(referral_id, report);
  REQUIRE(reply["gateway_status"] == 202);
  auto body = reply["gateway_body"];
  return body.is_string() ? nlohmann::json::parse(body.get<std::string>()) : body;
}

}  // namespace

TEST_CASE(
    "a day Jobbtorg reports again changed is one attendance_corrected and never a second day; unchanged is nothing",
    "[attendance]") {
  ReferralHarness h("attendance_correction");
  const year_month month = last_month();
  const std::string id = refer_from(h, date_in(month, 1));
  const std::string d1 = date_in(month, 10), d2 = date_in(month, 11);

  CHECK(send(h, id,
             narvaro({{{"datum", d1}, {"status", "NARVARANDE"}, {"timmar", 4}},
                      {{"datum", d2}, {"status", "NARVARANDE"}, {"timmar", 4}}}))["event_ids"]
            .size() == 2);
  // A new report covering both days: the first as before (spelled 4.0), the second changed.
  const auto corrected =
      narvaro({{{"datum", d1}, {"status", "NARVARANDE"}, {"timmar", 4.0}},
               {{"datum", d2}, {"status", "FRANVARANDE"}, {"timmar", 0}, {"franvaroorsak", "SJUK"}, {"anmald", true}}});
  CHECK(send(h, id, corrected)["event_ids"].size() == 1);
  // The same content again in yet another report: not a new event.
  CHECK(send(h, id, corrected)["event_ids"].empty());

  const auto days = events_of(h, id, "referral.attendance");
  REQUIRE(days.size() == 2);
  CHECK(days[0]["facts"]["date"] == d1);
  CHECK(days[1]["facts"]["date"] == d2);
  const auto corrections = events_of(h, id, "referral.attendance_corrected");
  REQUIRE(corrections.size() == 1);
  const auto& facts = corrections[0]["facts"];
  CHECK(facts["date"] == d2);
  CHECK(facts["version"] == 2);
  CHECK(facts["attendance"] == "FRANVARANDE");
  CHECK(facts["absence_reason"] == "SJUK");
  CHECK(facts["previous"] == nlohmann::json{{"date", d2}, {"attendance", "NARVARANDE"}, {"hours", "4"}});
  CHECK(corrections[0]["occurred_at"] == d2);

  // The month as stored, for the referring client only.
  const auto view = h.gateway_get("/v1/referrals/" + id + "/attendance?month=" + month_text(month), kCaseSystemToken);
  REQUIRE(view.status == 200);
  REQUIRE(view.body["days"].size() == 2);
  CHECK(view.body["days"][1]["version"] == 2);
  CHECK(view.body["days"][1]["attendance"] == "FRANVARANDE");
  CHECK(view.body["summary"]["absence"]["SJUK"]["days"] == 1);
  CHECK(view.body["summary"]["attended_days"] == 1);
  CHECK(view.body["complete"] == true);
  CHECK(count_kind(h, "referral.attendance_read") == 1);

  CHECK(h.gateway_get("/v1/referrals/" + id + "/attendance?month=" + month_text(month), kOtherClientToken).status ==
        404);
  const auto bad = h.gateway_get("/v1/referrals/" + id + "/attendance?month=2026-13", kCaseSystemToken);
  REQUIRE(bad.status == 400);
  CHECK(bad.body["invalid-params"][0]["name"] == "month");
  CHECK(h.gateway_get("/v1/referrals/" + id + "/attendance", kCaseSystemToken).body["invalid-params"][0]["name"] ==
        "month");
  CHECK(count_kind(h, "referral.read_refused") == 3);
  CHECK(count_kind(h, "referral.attendance_read") == 1);
}

TEST_CASE("a complete month's summary is raised once, and a correction raises the next revision, exact each time",
          "[attendance]") {
  ReferralHarnessOptions options;
  options.attendance = {{"summary_grace_days", 0}, {"summary_interval_seconds", 1}};
  ReferralHarness h("attendance_summary", options);
  const year_month month = last_month();
  const std::string id = refer_from(h, date_in(month, 1));
  const auto w = weekdays_of(month, 3);
  send(h, id,
       narvaro({{{"datum", w[0]}, {"status", "NARVARANDE"}, {"timmar", 4}},
                {{"datum", w[1]}, {"status", "NARVARANDE"}, {"timmar", 2.5}},
                {{"datum", w[2]}, {"status", "FRANVARANDE"}, {"franvaroorsak", "OGILTIG"}, {"anmald", false}}}));
  // This month is not complete: no summary for it.
  send(h, id, narvaro({{{"datum", date_in(this_month(), 1)}, {"status", "NARVARANDE"}, {"timmar", 4}}}));

  const std::string planned = std::to_string(weekdays_in(month) * 4);  // 20 h a week over the weekdays
  REQUIRE(eventually([&] { return events_of(h, id, "referral.attendance_summary").size() == 1; }));
  auto first = events_of(h, id, "referral.attendance_summary")[0]["facts"];
  CHECK(first["month"] == month_text(month));
  CHECK(first["revision"] == 1);
  CHECK(first["planned_hours"] == planned);
  CHECK(first["planned_hours_source"] == "derived_from_extent");
  CHECK(first["reported_days"] == 3);
  CHECK(first["attended_days"] == 2);
  CHECK(first["attended_hours"] == "6.5");
  CHECK(first["absence"]["OGILTIG"] == nlohmann::json{{"days", 1}, {"hours", "4"}});
  CHECK(first["absence"]["VAB"] == nlohmann::json{{"days", 0}, {"hours", "0"}});

  // Jobbtorg corrects the absent day: a sick child, reported.
  send(h, id,
       narvaro({{{"datum", w[2]},
                 {"status", "FRANVARANDE"},
                 {"franvaroorsak", "VAB"},
                 {"anmald", true},
                 {"version", 2},
                 {"korrigerad", true}}}));
  REQUIRE(eventually([&] { return events_of(h, id, "referral.attendance_summary").size() == 2; }));
  auto revised = events_of(h, id, "referral.attendance_summary")[1]["facts"];
  CHECK(revised["revision"] == 2);
  CHECK(revised["planned_hours"] == planned);
  CHECK(revised["attended_hours"] == "6.5");
  CHECK(revised["absence"]["OGILTIG"] == nlohmann::json{{"days", 0}, {"hours", "0"}});
  CHECK(revised["absence"]["VAB"] == nlohmann::json{{"days", 1}, {"hours", "4"}});

  // Raised once each: several more rounds of the job change nothing.
  std::this_thread::sleep_for(3s);
  const auto summaries = events_of(h, id, "referral.attendance_summary");
  CHECK(summaries.size() == 2);
  for (const auto& s : summaries) CHECK(s["facts"]["month"] == month_text(month));
  CHECK(count_kind(h, "referral.attendance_summary") == 2);
  const auto view = h.gateway_get("/v1/referrals/" + id + "/attendance?month=" + month_text(month), kCaseSystemToken);
  REQUIRE(view.status == 200);
  CHECK(view.body["latest_summary"]["revision"] == 2);
  CHECK(view.body["summary"]["absence"] == revised["absence"]);
  const auto current =
      h.gateway_get("/v1/referrals/" + id + "/attendance?month=" + month_text(this_month()), kCaseSystemToken);
  CHECK(current.body["complete"] == false);
  CHECK(current.body["latest_summary"].is_null());
}

TEST_CASE("the simulator's OGILTIG streak flags the month once at the threshold; its corrected day is a correction",
          "[attendance]") {
  ReferralHarnessOptions options;
  options.reports = true;
  options.attendance_days = 5;
  options.ogiltig_streak = 3;  // the gateway's default threshold
  options.correct_day = 0;
  ReferralHarness h("attendance_absence_flag", options);
  const year_month month = last_month();
  const std::string id = refer_from(h, date_in(month, 2));  // five days, all in that month
  REQUIRE(eventually([&] { return !events_of(h, id, "referral.ended").empty(); }));

  const auto flags = events_of(h, id, "referral.absence_flagged");
  REQUIRE(flags.size() == 1);
  CHECK(flags[0]["facts"]["month"] == month_text(month));
  CHECK(flags[0]["facts"]["unexcused_days"] == 3);
  CHECK(flags[0]["facts"]["threshold"] == 3);
  CHECK(flags[0]["facts"]["dates"] == nlohmann::json{date_in(month, 4), date_in(month, 5), date_in(month, 6)});
  const auto corrections = events_of(h, id, "referral.attendance_corrected");
  REQUIRE(corrections.size() == 1);
  CHECK(corrections[0]["facts"]["date"] == date_in(month, 2));
  CHECK(corrections[0]["facts"]["partner_version"] == 2);
  CHECK(events_of(h, id, "referral.attendance").size() == 5);

  // A fourth unexcused day in the same month: flagged once already.
  send(h, id,
       narvaro({{{"datum", date_in(month, 7)},
                 {"status", "FRANVARANDE"},
                 {"franvaroorsak", "OGILTIG"},
                 {"anmald", false}}}));
  CHECK(events_of(h, id, "referral.absence_flagged").size() == 1);
  CHECK(events_of(h, id, "referral.attendance").size() == 6);

  // Jobbtorg corrects two of them to a valid reason: two are left, below the threshold, so the
  // flag is withdrawn, naming the flag it withdraws.
  const auto valid = [&](unsigned d) {
    return nlohmann::json{
        {"datum", date_in(month, d)}, {"status", "FRANVARANDE"}, {"franvaroorsak", "GILTIG_ANNAN"}, {"anmald", true}};
  };
  send(h, id, narvaro({valid(4), valid(5)}));
  const auto withdrawn = events_of(h, id, "referral.absence_flag_withdrawn");
  REQUIRE(withdrawn.size() == 1);
  CHECK(withdrawn[0]["facts"]["month"] == month_text(month));
  CHECK(withdrawn[0]["facts"]["unexcused_days"] == 2);
  CHECK(withdrawn[0]["facts"]["threshold"] == 3);
  CHECK(withdrawn[0]["facts"]["dates"] == nlohmann::json{date_in(month, 6), date_in(month, 7)});
  CHECK(withdrawn[0]["facts"]["flagged_at"] == flags[0]["facts"]["flagged_at"]);
  CHECK(withdrawn[0]["case_id"] == flags[0]["case_id"]);
  int audited = 0;
  for (const auto& r : h.audit_records()) {
    if (r.kind == "referral.report_received" && r.body.contains("attendance")) {
      audited += static_cast<int>(r.body["attendance"].value("absence_flag_withdrawn", nlohmann::json::array()).size());
    }
  }
  CHECK(audited == 1);

  // A third unexcused day again: a new flag, once.
  send(h, id,
       narvaro({{{"datum", date_in(month, 8)},
                 {"status", "FRANVARANDE"},
                 {"franvaroorsak", "OGILTIG"},
                 {"anmald", false}}}));
  const auto flagged_again = events_of(h, id, "referral.absence_flagged");
  REQUIRE(flagged_again.size() == 2);
  CHECK(flagged_again[1]["facts"]["dates"] == nlohmann::json{date_in(month, 6), date_in(month, 7), date_in(month, 8)});
  CHECK(flagged_again[1]["facts"]["flagged_at"] != flags[0]["facts"]["flagged_at"]);
  CHECK(events_of(h, id, "referral.absence_flag_withdrawn").size() == 1);
}

TEST_CASE("days Jobbtorg reports about a withdrawn referral are not stored; the audit record only counts them",
          "[attendance]") {
  ReferralHarness h("attendance_withdrawn_referral");
  const year_month month = last_month();
  const std::string id = refer_from(h, date_in(month, 1));
  const auto withdrawn = h.gateway_send("POST", "/v1/referrals/" + id + "/withdrawal",
                                        nlohmann::json{{"reason", "BEHOV_UPPHORT"}}.dump(), kCaseSystemToken);
  INFO(withdrawn.body.dump());
  REQUIRE(withdrawn.status == 202);

  const std::string d1 = date_in(month, 10), d2 = date_in(month, 11);
  const auto answered =
      send(h, id,
           narvaro({{{"datum", d1}, {"status", "NARVARANDE"}, {"timmar", 4}},
                    {{"datum", d2}, {"status", "FRANVARANDE"}, {"franvaroorsak", "OGILTIG"}, {"anmald", false}}}));
  CHECK(answered["event_ids"].empty());

  // Nothing of the days is kept: the month reads as nothing reported.
  const auto view = h.gateway_get("/v1/referrals/" + id + "/attendance?month=" + month_text(month), kCaseSystemToken);
  REQUIRE(view.status == 200);
  CHECK(view.body["days"].empty());
  CHECK(view.body["summary"]["reported_days"] == 0);
  // The report is audited, saying how many days were dropped and nothing of what they said.
  std::vector<knutpunkt::AuditRecord> received;
  for (auto& r : h.audit_records()) {
    if (r.kind == "referral.report_received" && r.body.value("referral_id", "") == id) received.push_back(r);
  }
  REQUIRE(received.size() == 1);
  CHECK(received[0].body["not_published"]["reason"] == "referral_withdrawn");
  CHECK(received[0].body["attendance"] == nlohmann::json{{"dropped_days", 2}});
  const std::string audited = received[0].body.dump();
  CHECK(audited.find(d1) == std::string::npos);
  CHECK(audited.find(d2) == std::string::npos);
  CHECK(events_of(h, id, "referral.attendance").empty());
}

TEST_CASE("a complete month in which Jobbtorg reported nothing gets one summary saying so, on the moved clock",
          "[attendance]") {
  ReferralHarnessOptions options;
  options.moved_clock = true;
  options.attendance = {{"summary_grace_days", 2}, {"summary_interval_seconds", 1}};
  ReferralHarness h("attendance_nothing_reported", options);
  // Both start on the first of the month they are accepted in; B is withdrawn at once.
  const std::string a = refer_from(h, date_in(this_month(), 1));
  const std::string b = refer_from(h, date_in(this_month(), 1));
  const auto shown = h.gateway_get("/v1/referrals/" + a, kCaseSystemToken);
  REQUIRE(shown.status == 200);
  const auto accepted_at = knutpunkt::parse_utc(shown.body.value("created_at", ""));
  REQUIRE(accepted_at.has_value());
  const year_month_day accepted_on{std::chrono::floor<std::chrono::days>(*accepted_at)};
  const year_month accepted = accepted_on.year() / accepted_on.month();
  REQUIRE(accepted == this_month());  // the gateway's clock and the test's are the same one
  REQUIRE(h.gateway_send("POST", "/v1/referrals/" + b + "/withdrawal",
                         nlohmann::json{{"reason", "BEHOV_UPPHORT"}}.dump(), kCaseSystemToken)
              .status == 202);
  // A: a day in the month of acceptance, nothing in the next.
  const year_month next = accepted + std::chrono::months{1};
  send(h, a, narvaro({{{"datum", date_in(accepted, 1)}, {"status", "NARVARANDE"}, {"timmar", 4}}}));
  const auto summaries_of = [&](const std::string& id, year_month month) {
    std::vector<nlohmann::json> out;
    for (auto& e : events_of(h, id, "referral.attendance_summary")) {
      if (e["facts"]["month"] == month_text(month)) out.push_back(e);
    }
    return out;
  };

  // The moment before the next month's grace ends: the first month is summarised, the next not.
  const auto next_complete = sys_days{(next + std::chrono::months{1}) / 1} + std::chrono::days{2};
  h.set_time_limit_clock(next_complete - 1ms);
  REQUIRE(eventually([&] { return summaries_of(a, accepted).size() == 1; }, 10s));
  CHECK(summaries_of(a, accepted)[0]["facts"]["reported_days"] == 1);
  std::this_thread::sleep_for(2500ms);
  CHECK(summaries_of(a, next).empty());

  // At it: the next month, with nothing reported, is summarised as such, once.
  h.set_time_limit_clock(next_complete);
  REQUIRE(eventually([&] { return summaries_of(a, next).size() == 1; }, 10s));
  const auto facts = summaries_of(a, next)[0]["facts"];
  CHECK(facts["revision"] == 1);
  CHECK(facts["reported_days"] == 0);
  CHECK(facts["attended_days"] == 0);
  CHECK(facts["planned_hours"] == std::to_string(weekdays_in(next) * 4));  // 20 h a week over the weekdays
  CHECK(facts["planned_hours_source"] == "derived_from_extent");
  std::this_thread::sleep_for(2500ms);
  CHECK(summaries_of(a, next).size() == 1);
  CHECK(summaries_of(a, accepted).size() == 1);
  // Nothing about the withdrawn referral.
  CHECK(events_of(h, b, "referral.attendance_summary").empty());
  CHECK(count_kind(h, "referral.attendance_summary") == 2);
  const auto view = h.gateway_get("/v1/referrals/" + a + "/attendance?month=" + month_text(next), kCaseSystemToken);
  REQUIRE(view.status == 200);
  CHECK(view.body["latest_summary"]["revision"] == 1);
  CHECK(view.body["complete"] == true);

  // A day of that month reported late revises it.
  send(h, a, narvaro({{{"datum", date_in(next, 3)}, {"status", "NARVARANDE"}, {"timmar", 4}}}));
  REQUIRE(eventually([&] { return summaries_of(a, next).size() == 2; }, 10s));
  CHECK(summaries_of(a, next)[1]["facts"]["revision"] == 2);
  CHECK(summaries_of(a, next)[1]["facts"]["reported_days"] == 1);
}
