#include "referral_deadlines/time_limits.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "core/clock.h"

namespace {

namespace kp = knutpunkt;
namespace rd = knutpunkt::referral_deadlines;
using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

// Acceptance at an arbitrary instant with milliseconds, so a boundary counted in whole days from
// it cannot coincide with a midnight by accident.
TimePoint accepted_at() {
  auto t = kp::parse_utc("2031-03-04T09:17:23.456Z");
  REQUIRE(t.has_value());
  return *t;
}

TimePoint at(const std::string& text) {
  auto t = kp::parse_utc(text);
  REQUIRE(t.has_value());
  return *t;
}

std::vector<std::string> types_of(const std::vector<rd::DueLimit>& due) {
  std::vector<std::string> out;
  for (const rd::DueLimit& d : due) out.push_back(d.event_type);
  return out;
}

rd::ReferralTimeline timeline(std::vector<rd::ArrivedReport> reports = {}) {
  return {accepted_at(), std::move(reports)};
}

kp::routing::ReferralTimeLimits limits(std::optional<int> not_enrolled, int first_visit, bool plan_followup) {
  kp::routing::ReferralTimeLimits l;
  l.not_enrolled_days = not_enrolled;
  l.first_visit_days = first_visit;
  l.plan_followup = plan_followup;
  return l;
}

}  // namespace

TEST_CASE("referral.not_enrolled is due exactly N days after acceptance, not a millisecond before",
          "[referral_deadlines]") {
  const auto l = limits(7, 30, false);
  const TimePoint boundary = accepted_at() + std::chrono::days{7};
  CHECK(rd::due_limits(timeline(), l, boundary - 1ms).empty());
  const auto due = rd::due_limits(timeline(), l, boundary);
  REQUIRE(types_of(due) == std::vector<std::string>{rd::kNotEnrolled});
  CHECK(due[0].due_at == boundary);
  CHECK(due[0].key == "referral");
  CHECK(due[0].limit_days == 7);
  // Still due later (the round raises it once; the store remembers that it did).
  CHECK(types_of(rd::due_limits(timeline(), l, boundary + 1h)) == std::vector<std::string>{rd::kNotEnrolled});
}

TEST_CASE("an INSKRIVNING or an EJ_INSKRIVEN acknowledges the referral; other reports do not", "[referral_deadlines]") {
  const auto l = limits(7, 30, false);
  const TimePoint later = accepted_at() + std::chrono::days{8};
  CHECK(rd::due_limits(timeline({{"INSKRIVNING", std::nullopt}}), l, later).empty());
  CHECK(rd::due_limits(timeline({{"EJ_INSKRIVEN", std::nullopt}}), l, later).empty());
  CHECK(types_of(rd::due_limits(timeline({{"NARVARO", std::nullopt}}), l, later)) ==
        std::vector<std::string>{rd::kNotEnrolled});
}

TEST_CASE("without not_enrolled_days acknowledgement is not watched", "[referral_deadlines]") {
  CHECK(rd::due_limits(timeline(), limits(std::nullopt, 30, false), accepted_at() + std::chrono::days{29}).empty());
}

TEST_CASE("referral.first_visit_overdue is due at the default 14 days, not a millisecond before",
          "[referral_deadlines]") {
  const kp::routing::ReferralTimeLimits defaults;
  REQUIRE(defaults.first_visit_days == 14);
  REQUIRE_FALSE(defaults.not_enrolled_days.has_value());
  const TimePoint boundary = accepted_at() + std::chrono::days{14};
  const auto enrolled = timeline({{"INSKRIVNING", std::nullopt}});
  CHECK(rd::due_limits(enrolled, defaults, boundary - 1ms).empty());
  const auto due = rd::due_limits(enrolled, defaults, boundary);
  REQUIRE(types_of(due) == std::vector<std::string>{rd::kFirstVisitOverdue});
  CHECK(due[0].due_at == boundary);
  CHECK(due[0].limit_days == 14);
}

TEST_CASE("a FORSTA_BESOK meets the first-visit limit; EJ_INSKRIVEN, AVBROTT and AVSLUT end it",
          "[referral_deadlines]") {
  const auto l = limits(std::nullopt, 14, true);
  const TimePoint later = accepted_at() + std::chrono::days{20};
  CHECK(rd::due_limits(timeline({{"INSKRIVNING", std::nullopt}, {"FORSTA_BESOK", std::nullopt}}), l, later).empty());
  for (const char* ending : {"EJ_INSKRIVEN", "AVBROTT", "AVSLUT"}) {
    INFO(ending);
    CHECK(rd::due_limits(timeline({{ending, std::nullopt}}), l, later).empty());
  }
}

TEST_CASE("both limits run out together when nothing arrived", "[referral_deadlines]") {
  const auto due = rd::due_limits(timeline(), limits(5, 5, true), accepted_at() + std::chrono::days{5});
  CHECK(types_of(due) == std::vector<std::string>{rd::kNotEnrolled, rd::kFirstVisitOverdue});
}

TEST_CASE("referral.plan_followup_overdue is due from the midnight that ends the follow-up date, once per date",
          "[referral_deadlines]") {
  const auto l = limits(std::nullopt, 365, true);
  const auto planned = timeline({{"INSKRIVNING", "2031-04-10"}});
  CHECK(rd::due_limits(planned, l, at("2031-04-10T23:59:59.999Z")).empty());
  const auto due = rd::due_limits(planned, l, at("2031-04-11T00:00:00Z"));
  REQUIRE(types_of(due) == std::vector<std::string>{rd::kPlanFollowupOverdue});
  CHECK(due[0].key == "2031-04-10");
  CHECK(due[0].followup_date == "2031-04-10");
  CHECK(due[0].due_at == at("2031-04-11T00:00:00Z"));
}

TEST_CASE("an UPPFOLJNING after the date's report meets it; its next date is the next limit", "[referral_deadlines]") {
  const auto l = limits(std::nullopt, 365, true);
  const TimePoint late = at("2031-06-01T00:00:00Z");
  CHECK(rd::due_limits(timeline({{"INSKRIVNING", "2031-04-10"}, {"UPPFOLJNING", std::nullopt}}), l, late).empty());
  const auto next = rd::due_limits(timeline({{"INSKRIVNING", "2031-04-10"}, {"UPPFOLJNING", "2031-05-15"}}), l, late);
  REQUIRE(types_of(next) == std::vector<std::string>{rd::kPlanFollowupOverdue});
  CHECK(next[0].key == "2031-05-15");
  // Attendance reports are not a follow-up.
  CHECK(types_of(rd::due_limits(timeline({{"INSKRIVNING", "2031-04-10"}, {"NARVARO", std::nullopt}}), l, late)) ==
        std::vector<std::string>{rd::kPlanFollowupOverdue});
}

TEST_CASE("plan follow-ups are not watched when the route says so, nor after the referral ended at Jobbtorg",
          "[referral_deadlines]") {
  const TimePoint late = at("2031-06-01T00:00:00Z");
  CHECK(rd::due_limits(timeline({{"INSKRIVNING", "2031-04-10"}}), limits(std::nullopt, 365, false), late).empty());
  CHECK(rd::due_limits(timeline({{"INSKRIVNING", "2031-04-10"}, {"AVSLUT", std::nullopt}}),
                       limits(std::nullopt, 365, true), late)
            .empty());
}

TEST_CASE("a referral's time limits are those of the first referral rule that matches it and names its Jobbtorg",
          "[referral_deadlines]") {
  using kp::routing::RouteRule;
  const kp::routing::RouteTable routes({
      RouteRule{"events", {"referral.*"}, {}, {}, {}, {}, {"case-system-webhook"}},
      RouteRule{"söderort", {"referral.requested"}, {}, {"0180"}, {}, {"farsta"}, {"jobbtorg-sodra"}},
      RouteRule{"everything else", {"referral.requested"}, {}, {}, {}, {}, {"jobbtorg-sodra"}},
  });
  const std::vector<kp::routing::ReferralTimeLimits> per_rule = {limits(1, 1, false), limits(7, 10, true),
                                                                 limits(std::nullopt, 21, true)};
  kp::ReferralRecord referral;
  referral.client_id = "case-system";
  referral.destination = "jobbtorg-sodra";
  referral.referral = {{"municipality", "0180"}, {"district", "farsta"}};
  // The webhook rule matches referral.requested too, but does not name the referral's Jobbtorg.
  CHECK(rd::limits_for(routes, per_rule, referral) == limits(7, 10, true));

  referral.referral["district"] = "skarholmen";
  CHECK(rd::limits_for(routes, per_rule, referral) == limits(std::nullopt, 21, true));

  referral.destination = "jobbtorg-city";  // no rule names it (routes changed since): the defaults
  CHECK(rd::limits_for(routes, per_rule, referral) == kp::routing::ReferralTimeLimits{});
}
