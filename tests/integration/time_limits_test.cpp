// Referral time limits through the real gateway and the Jobbtorg simulator, with the gateway's
// time-limit clock moved by the test (knutpunkt-moved-clock, a test build of the gateway's command
// line: the installed binary has no such option). Each limit is raised once, at its boundary.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "referral_harness.h"

using namespace knutpunkt::testing;
using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

namespace {

// The case system's feed events of `type` about the referral.
std::vector<nlohmann::json> feed_of(ReferralHarness& h, const std::string& type, const std::string& referral_id) {
  std::vector<nlohmann::json> events;
  std::string cursor = "0";
  for (;;) {
    auto page = h.gateway_get("/v1/events?limit=100&after=" + cursor, kCaseSystemToken);
    REQUIRE(page.status == 200);
    for (const auto& e : page.body["events"]) {
      if (e["type"] == type && e["correlation_id"] == referral_id) events.push_back(e);
    }
    cursor = page.body["next_cursor"];
    if (!page.body["has_more"].get<bool>()) return events;
  }
}

int audited(ReferralHarness& h, const std::string& kind, const std::string& referral_id) {
  int n = 0;
  for (const auto& r : h.audit_records()) n += r.kind == kind && r.body.value("referral_id", "") == referral_id;
  return n;
}

// Long enough for two rounds of the time limits (one a second in the harness's config): what a
// round would raise at the clock just set has been raised.
void two_rounds() {
  std::this_thread::sleep_for(2500ms);
}

TimePoint parsed(const std::string& text) {
  auto t = knutpunkt::parse_utc(text);
  REQUIRE(t.has_value());
  return *t;
}

struct Referred {
  std::string id;
  TimePoint accepted_at;
};

Referred refer(ReferralHarness& h, const std::string& case_id) {
  auto accepted = h.refer(referral_request(case_id));
  INFO(accepted.body.dump());
  REQUIRE(accepted.status == 202);
  return {accepted.body["referral_id"], parsed(accepted.body["accepted_at"])};
}

}  // namespace

TEST_CASE("each referral time limit is raised once, at its boundary and not a millisecond before, through the gateway",
          "[time_limits]") {
  ReferralHarnessOptions options;
  options.moved_clock = true;
  options.time_limits = {{"not_enrolled_days", 7}, {"first_visit_days", 14}, {"plan_followup", true}};
  ReferralHarness h("time_limits_boundaries", options);

  // A: Jobbtorg never answers. B: enrolled with a plan follow-up date, and a first visit.
  const Referred a = refer(h, "EB-2026-000123");
  const Referred b = refer(h, "EB-2026-000123");
  h.set_time_limit_clock(a.accepted_at);
  const std::string followup_date = knutpunkt::format_utc(b.accepted_at + std::chrono::days{20}).substr(0, 10);
  const std::string enrolled_on = knutpunkt::format_utc(b.accepted_at).substr(0, 10);
  REQUIRE(h.jobbtorg_report(b.id, {{"typ", "INSKRIVNING"},
                                   {"inskrivning",
                                    {{"datum", enrolled_on},
                                     {"jobbtorgReferens", "JT-2026-7001"},
                                     {"planeradUppfoljning", followup_date}}}})["gateway_status"] == 202);
  REQUIRE(h.jobbtorg_report(b.id, {{"typ", "FORSTA_BESOK"},
                                   {"forstaBesok", {{"datum", enrolled_on}, {"genomfort", true}}}})["gateway_status"] ==
          202);

  // Not enrolled: 7 days after acceptance, for A only.
  h.set_time_limit_clock(a.accepted_at + std::chrono::days{7} - 1ms);
  two_rounds();
  CHECK(feed_of(h, "referral.not_enrolled", a.id).empty());
  h.set_time_limit_clock(a.accepted_at + std::chrono::days{7});
  REQUIRE(eventually([&] { return feed_of(h, "referral.not_enrolled", a.id).size() == 1; }, 10s));
  const auto not_enrolled = feed_of(h, "referral.not_enrolled", a.id)[0];
  CHECK(not_enrolled["facts"]["limit_days"] == 7);
  CHECK(parsed(not_enrolled["facts"]["due_at"]) == a.accepted_at + std::chrono::days{7});
  CHECK(not_enrolled["case_id"] == "EB-2026-000123");

  // First visit: 14 days after acceptance, for A only (B had its first visit).
  h.set_time_limit_clock(a.accepted_at + std::chrono::days{14} - 1ms);
  two_rounds();
  CHECK(feed_of(h, "referral.first_visit_overdue", a.id).empty());
  h.set_time_limit_clock(a.accepted_at + std::chrono::days{14});
  REQUIRE(eventually([&] { return feed_of(h, "referral.first_visit_overdue", a.id).size() == 1; }, 10s));
  CHECK(feed_of(h, "referral.first_visit_overdue", a.id)[0]["facts"]["limit_days"] == 14);

  // Plan follow-up: from the midnight that ends the date Jobbtorg gave, for B only.
  const TimePoint followup_over = parsed(followup_date) + std::chrono::days{1};
  h.set_time_limit_clock(followup_over - 1ms);
  two_rounds();
  CHECK(feed_of(h, "referral.plan_followup_overdue", b.id).empty());
  h.set_time_limit_clock(followup_over);
  REQUIRE(eventually([&] { return feed_of(h, "referral.plan_followup_overdue", b.id).size() == 1; }, 10s));
  CHECK(feed_of(h, "referral.plan_followup_overdue", b.id)[0]["facts"]["planned_followup"] == followup_date);

  // Once each: later rounds raise nothing again, and B never had the limits it met.
  two_rounds();
  CHECK(feed_of(h, "referral.not_enrolled", a.id).size() == 1);
  CHECK(feed_of(h, "referral.first_visit_overdue", a.id).size() == 1);
  CHECK(feed_of(h, "referral.plan_followup_overdue", b.id).size() == 1);
  CHECK(feed_of(h, "referral.not_enrolled", b.id).empty());
  CHECK(feed_of(h, "referral.first_visit_overdue", b.id).empty());
  CHECK(feed_of(h, "referral.plan_followup_overdue", a.id).empty());
  // Each raised limit is one audit record, naming the referral.
  CHECK(audited(h, "referral.not_enrolled", a.id) == 1);
  CHECK(audited(h, "referral.first_visit_overdue", a.id) == 1);
  CHECK(audited(h, "referral.plan_followup_overdue", b.id) == 1);
  // And pushed to the case system's webhook like every referral event.
  REQUIRE(eventually([&] {
    const auto stats = h.case_system_stats();
    if (!stats["by_correlation"].contains(b.id)) return false;
    for (const auto& t : stats["by_correlation"][b.id]) {
      if (t == "referral.plan_followup_overdue") return true;
    }
    return false;
  }));
}

TEST_CASE("an UPPFOLJNING meets the plan follow-up; the next date it gives is raised once when it passes",
          "[time_limits]") {
  ReferralHarnessOptions options;
  options.moved_clock = true;
  ReferralHarness h("time_limits_followups", options);
  const Referred r = refer(h, "EB-2026-000123");
  h.set_time_limit_clock(r.accepted_at);
  const auto date = [&](int days) {
    return knutpunkt::format_utc(r.accepted_at + std::chrono::days{days}).substr(0, 10);
  };
  REQUIRE(h.jobbtorg_report(r.id, {{"typ", "INSKRIVNING"},
                                   {"inskrivning",
                                    {{"datum", date(0)},
                                     {"jobbtorgReferens", "JT-2026-7002"},
                                     {"planeradUppfoljning", date(5)}}}})["gateway_status"] == 202);
  REQUIRE(h.jobbtorg_report(r.id, {{"typ", "FORSTA_BESOK"},
                                   {"forstaBesok", {{"datum", date(1)}, {"genomfort", true}}}})["gateway_status"] ==
          202);
  REQUIRE(h.jobbtorg_report(
              r.id, {{"typ", "UPPFOLJNING"},
                     {"uppfoljning", {{"datum", date(5)}, {"nastaUppfoljning", date(9)}}}})["gateway_status"] == 202);

  // The first date was followed up: past it, nothing.
  h.set_time_limit_clock(parsed(date(9)) + std::chrono::days{1} - 1ms);
  two_rounds();
  CHECK(feed_of(h, "referral.plan_followup_overdue", r.id).empty());
  // The next date passes with no UPPFOLJNING after it.
  h.set_time_limit_clock(parsed(date(9)) + std::chrono::days{1});
  REQUIRE(eventually([&] { return feed_of(h, "referral.plan_followup_overdue", r.id).size() == 1; }, 10s));
  CHECK(feed_of(h, "referral.plan_followup_overdue", r.id)[0]["facts"]["planned_followup"] == date(9));
  // The default first-visit limit (14 days) is not raised: the first visit came.
  h.set_time_limit_clock(r.accepted_at + std::chrono::days{30});
  two_rounds();
  CHECK(feed_of(h, "referral.plan_followup_overdue", r.id).size() == 1);
  CHECK(feed_of(h, "referral.first_visit_overdue", r.id).empty());
  CHECK(feed_of(h, "referral.not_enrolled", r.id).empty());
}

TEST_CASE("a withdrawn referral is not waited for: the round raises the limits of the active one only",
          "[time_limits]") {
  ReferralHarnessOptions options;
  options.moved_clock = true;
  options.time_limits = {{"not_enrolled_days", 7}};
  ReferralHarness h("time_limits_withdrawn", options);
  const Referred active = refer(h, "EB-2026-000123");
  const Referred withdrawn = refer(h, "EB-2026-000123");
  h.set_time_limit_clock(active.accepted_at);
  auto reply = h.gateway_send("POST", "/v1/referrals/" + withdrawn.id + "/withdrawal",
                              nlohmann::json{{"reason", "BEHOV_UPPHORT"}}.dump(), kCaseSystemToken);
  REQUIRE(reply.status == 202);

  h.set_time_limit_clock(withdrawn.accepted_at + std::chrono::days{30});
  REQUIRE(eventually([&] { return feed_of(h, "referral.not_enrolled", active.id).size() == 1; }, 10s));
  two_rounds();
  CHECK(feed_of(h, "referral.not_enrolled", withdrawn.id).empty());
  CHECK(feed_of(h, "referral.first_visit_overdue", withdrawn.id).empty());
  CHECK(audited(h, "referral.not_enrolled", withdrawn.id) == 0);
}
