// Assessment results through the real gateway and the Jobbtorg simulator: Jobbtorg's (typ
// BEDOMNING) reach the referring case system coded as assessment.result, with its plan follow-ups;
// the unit's IB part 1 reaches Jobbtorg coded in the anvisning.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "referral_harness.h"

using namespace knutpunkt::testing;

namespace {

std::vector<nlohmann::json> feed_of(ReferralHarness& h, const std::string& type) {
  std::vector<nlohmann::json> events;
  std::string cursor = "0";
  for (;;) {
    auto page = h.gateway_get("/v1/events?limit=100&after=" + cursor, kCaseSystemToken);
    REQUIRE(page.status == 200);
    for (const auto& e : page.body["events"]) {
      if (e["type"] == type) events.push_back(e);
    }
    cursor = page.body["next_cursor"];
    if (!page.body["has_more"].get<bool>()) return events;
  }
}

}  // namespace

TEST_CASE(
    "a BEDOMNING from Jobbtorg reaches the case system as one coded assessment.result; a code outside the lists "
    "is refused naming the field",
    "[assessment]") {
  ReferralHarness h("assessment_result");
  auto accepted = h.refer(referral_request());
  REQUIRE(accepted.status == 202);
  const std::string referral_id = accepted.body["referral_id"];

  const nlohmann::json result = {{"instrument", "FIA"},
                                 {"del", "ARBETE"},
                                 {"datum", "2026-12-10"},
                                 {"resultat", {{"ARBETSFORMAGA", "VISST_HINDER"}, {"MOTIVATION", "INGET_HINDER"}}}};
  auto sent = h.jobbtorg_report(referral_id, {{"typ", "BEDOMNING"}, {"bedomning", result}});
  INFO(sent.dump());
  REQUIRE(sent["gateway_status"] == 202);

  const auto events = feed_of(h, "assessment.result");
  REQUIRE(events.size() == 1);
  CHECK(events[0]["correlation_id"] == referral_id);
  CHECK(events[0]["occurred_at"] == "2026-12-10");
  CHECK(events[0]["facts"] == nlohmann::json{{"referral_id", referral_id},
                                             {"instrument", "FIA"},
                                             {"part", "ARBETE"},
                                             {"organisation", "jobbtorg"},
                                             {"completed_on", "2026-12-10"},
                                             {"work_capacity", "VISST_HINDER"},
                                             {"motivation", "INGET_HINDER"}});
  REQUIRE(eventually([&] {
    const auto stats = h.case_system_stats();
    if (!stats["by_correlation"].contains(referral_id)) return false;
    for (const auto& t : stats["by_correlation"][referral_id]) {
      if (t == "assessment.result") return true;
    }
    return false;
  }));

  nlohmann::json wrong = result;
  wrong["resultat"]["MOTIVATION"] = "GANSKA_BRA";
  auto refused = h.jobbtorg_report(referral_id, {{"typ", "BEDOMNING"}, {"bedomning", wrong}});
  INFO(refused.dump());
  CHECK(refused["gateway_status"] == 400);
  CHECK(refused.dump().find("/bedomning/resultat/MOTIVATION") != std::string::npos);
  CHECK(feed_of(h, "assessment.result").size() == 1);
}

TEST_CASE(
    "a referral's coded IB part 1 reaches Jobbtorg in the anvisning; a code outside the lists is refused naming "
    "ib_part1.results.<item>",
    "[assessment]") {
  ReferralHarness h("assessment_ib_part1");
  const nlohmann::json results = {
      {"BOENDE", "VISST_HINDER"}, {"SOCIALT_NATVERK", "INGET_HINDER"}, {"UTBILDNINGSNIVA", "FORGYMNASIAL"}};
  auto body = referral_request();
  body["ib_part1"] = {{"completed_on", "2026-11-20"}, {"summary", "Kort text"}, {"results", results}};
  auto accepted = h.refer(body);
  INFO(accepted.body.dump());
  REQUIRE(accepted.status == 202);
  const std::string referral_id = accepted.body["referral_id"];

  nlohmann::json at_jobbtorg;
  REQUIRE(eventually([&] {
    for (const auto& r : h.jobbtorg_referrals()) {
      if (r["anvisningsId"] == referral_id) at_jobbtorg = r;
    }
    return !at_jobbtorg.is_null();
  }));
  CHECK(at_jobbtorg["ibDel1Resultat"] == results);
  CHECK(h.jobbtorg_stats()["invalid"] == 0);

  auto wrong = referral_request("EB-2026-000124");
  wrong["ib_part1"] = {{"completed_on", "2026-11-20"},
                       {"results", {{"BOENDE", "LITE"}, {"MOTIVATION", "INGET_HINDER"}}}};
  auto refused = h.refer(wrong);
  INFO(refused.body.dump());
  REQUIRE(refused.status == 400);
  std::vector<std::string> names;
  for (const auto& p : refused.body["invalid-params"]) names.push_back(p["name"]);
  CHECK(names == std::vector<std::string>{"ib_part1.results.BOENDE"});
  CHECK(h.jobbtorg_stats()["anvisningar_received"] == 1);
}

TEST_CASE(
    "Jobbtorg's own follow-up of the plan and its assessments, reported by the simulator on its own, reach the case "
    "system coded",
    "[assessment]") {
  ReferralHarnessOptions options;
  options.reports = true;
  options.followup_days = 10;
  options.assessments = "IB,FIA";
  ReferralHarness h("assessment_simulated", options);
  const auto body = referral_request();  // starts 2026-12-01
  auto accepted = h.refer(body);
  REQUIRE(accepted.status == 202);
  const std::string referral_id = accepted.body["referral_id"];
  const auto of_referral = [&](const std::string& type) {
    std::vector<nlohmann::json> out;
    for (auto& e : feed_of(h, type)) {
      if (e["correlation_id"] == referral_id) out.push_back(std::move(e));
    }
    return out;
  };
  REQUIRE(eventually([&] { return !of_referral("referral.ended").empty(); }));

  const auto accepted_events = of_referral("referral.accepted");
  REQUIRE(accepted_events.size() == 1);
  CHECK(accepted_events[0]["facts"]["planned_followup"] == "2026-12-11");
  const auto followups = of_referral("referral.plan_followed_up");
  REQUIRE(followups.size() == 1);
  CHECK(followups[0]["facts"] ==
        nlohmann::json{{"referral_id", referral_id}, {"date", "2026-12-11"}, {"planned_followup", "2026-12-21"}});

  const auto results = of_referral("assessment.result");
  REQUIRE(results.size() == 3);
  std::vector<std::string> parts;
  for (const auto& r : results) {
    parts.push_back(r["facts"]["instrument"].get<std::string>() + " " + r["facts"]["part"].get<std::string>());
    CHECK(r["facts"]["organisation"] == "jobbtorg");
    CHECK(r["facts"]["completed_on"] == "2026-12-02");
  }
  CHECK(parts == std::vector<std::string>{"IB DEL2", "FIA UTBILDNING", "FIA ARBETE"});
  CHECK(results[0]["facts"]["work_experience"] == "STORT_HINDER");
  CHECK(results[0]["facts"]["education_level"] == "GYMNASIAL");
  CHECK(results[2]["facts"]["motivation"] == "INGET_HINDER");
  CHECK(results[2]["facts"]["health_obstacle"] == "VISST_HINDER");

  // Pushed to the case system's webhook too.
  REQUIRE(eventually([&] {
    const auto stats = h.case_system_stats();
    if (!stats["by_correlation"].contains(referral_id)) return false;
    int assessments = 0;
    bool followed_up = false;
    for (const auto& t : stats["by_correlation"][referral_id]) {
      assessments += t == "assessment.result" ? 1 : 0;
      followed_up = followed_up || t == "referral.plan_followed_up";
    }
    return assessments == 3 && followed_up;
  }));
  CHECK(h.jobbtorg_stats()["reports"]["gave_up"] == 0);
}
