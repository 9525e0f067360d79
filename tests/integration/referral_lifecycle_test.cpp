// A referral after acceptance, through the real gateway binary, the Jobbtorg simulator and a case
// system receiving webhooks: changed, withdrawn by the case system, by the end of its consent or of
// its case, and the decisions the case system sends back.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "referral_harness.h"
#include "relative_dates.h"

using namespace knutpunkt::testing;
using namespace std::chrono_literals;

namespace {

std::string message_status(ReferralHarness& h, const std::string& id) {
  auto reply = h.gateway_get("/v1/messages/" + id, kOperatorToken);
  REQUIRE(reply.status == 200);
  return reply.body["status"];
}

// What the Jobbtorg simulator holds about a referral: null when it never received it.
nlohmann::json at_jobbtorg(ReferralHarness& h, const std::string& referral_id) {
  auto referrals = h.jobbtorg_referrals();
  for (const auto& r : referrals) {
    if (r["anvisningsId"] == referral_id) return r;
  }
  return nullptr;
}

std::vector<std::string> typ_sequence(const nlohmann::json& referral) {
  std::vector<std::string> out;
  if (referral.is_null()) return out;
  for (const auto& m : referral["meddelanden"]) out.push_back(m["typ"]);
  return out;
}

std::vector<knutpunkt::AuditRecord> records_of(ReferralHarness& h, const std::string& kind) {
  std::vector<knutpunkt::AuditRecord> out;
  for (auto& r : h.audit_records()) {
    if (r.kind == kind) out.push_back(std::move(r));
  }
  return out;
}

HttpReply change(ReferralHarness& h, const std::string& referral_id, const nlohmann::json& body,
                 const std::string& key = {}) {
  return h.gateway_send("PATCH", "/v1/referrals/" + referral_id, body.dump(), kCaseSystemToken, key);
}

HttpReply withdraw(ReferralHarness& h, const std::string& referral_id, const std::string& reason = "BEHOV_UPPHORT") {
  return h.gateway_send("POST", "/v1/referrals/" + referral_id + "/withdrawal",
                        nlohmann::json{{"reason", reason}}.dump(), kCaseSystemToken);
}

std::string accepted_referral(ReferralHarness& h) {
  auto accepted = h.refer(referral_request());
  INFO(accepted.body.dump());
  REQUIRE(accepted.status == 202);
  return accepted.body["referral_id"];
}

std::string first_message(ReferralHarness& h, const std::string& referral_id) {
  auto shown = h.gateway_get("/v1/referrals/" + referral_id, kCaseSystemToken);
  REQUIRE(shown.status == 200);
  return shown.body["messages"][0]["message_id"];
}

}  // namespace

TEST_CASE(
    "a change and a withdrawal reach Jobbtorg in order after the referral; a change queued behind a withdrawal is "
    "withheld") {
  ReferralHarness h("lifecycle_in_order");
  const std::string id = accepted_referral(h);
  REQUIRE(eventually([&] { return message_status(h, first_message(h, id)) == "delivered"; }));

  // Jobbtorg is down while the change is made; it goes once Jobbtorg is back.
  h.jobbtorg_faults({{"mode", "error"}, {"status", 503}});
  auto changed = change(h, id, {{"extent_hours_per_week", 30}, {"start_date", "2026-12-14"}}, "change-1");
  INFO(changed.body.dump());
  REQUIRE(changed.status == 202);
  CHECK(changed.body["version"] == 2);
  CHECK(changed.body["changes"] == nlohmann::json{{"extent_hours_per_week", 30}, {"start_date", "2026-12-14"}});
  std::this_thread::sleep_for(300ms);
  h.jobbtorg_faults(nullptr);
  REQUIRE(eventually([&] { return typ_sequence(at_jobbtorg(h, id)).size() == 1; }));

  // Down again: a second change and then a withdrawal queue behind each other. Jobbtorg learns only
  // the withdrawal: what was still queued about a withdrawn referral is withheld.
  h.jobbtorg_faults({{"mode", "error"}, {"status", 503}});
  auto second = change(h, id, {{"target_group", "UNGA_VUXNA"}});
  REQUIRE(second.status == 202);
  CHECK(second.body["version"] == 3);
  auto withdrawn = withdraw(h, id);
  INFO(withdrawn.body.dump());
  REQUIRE(withdrawn.status == 202);
  CHECK(withdrawn.body["status"] == "withdrawn");
  CHECK(withdrawn.body["version"] == 4);
  // Jobbtorg comes back only once the change is withheld: an attempt at it already past its release
  // check when the withdrawal was accepted would otherwise still reach Jobbtorg.
  const std::string second_message = second.body["message"]["message_id"];
  REQUIRE(eventually([&] { return message_status(h, second_message) == "withheld"; }));
  h.jobbtorg_faults(nullptr);

  REQUIRE(eventually([&] { return typ_sequence(at_jobbtorg(h, id)).size() == 2; }));
  const auto held = at_jobbtorg(h, id);
  CHECK(typ_sequence(held) == std::vector<std::string>{"ANVISNING_ANDRAD", "ANVISNING_ATERKALLAD"});
  CHECK(held["meddelanden"][0]["version"] == 2);
  CHECK(held["meddelanden"][0]["andringar"] ==
        nlohmann::json{{"omfattningTimmarPerVecka", 30}, {"startdatum", "2026-12-14"}});
  CHECK(held["meddelanden"][1]["version"] == 4);
  CHECK(held["meddelanden"][1]["orsak"] == "BEHOV_UPPHORT");
  CHECK(held["status"] == "ATERKALLAD");

  // The same change again under its key is the first answer; the referral shows its last state.
  auto again = change(h, id, {{"extent_hours_per_week", 30}, {"start_date", "2026-12-14"}}, "change-1");
  CHECK(again.status == 202);
  CHECK(again.body["version"] == 2);
  auto shown = h.gateway_get("/v1/referrals/" + id, kCaseSystemToken);
  CHECK(shown.body["status"] == "withdrawn");
  CHECK(shown.body["version"] == 4);
  CHECK(shown.body["referral"]["extent_hours_per_week"] == 30);
  CHECK(shown.body["referral"]["target_group"] == "UNGA_VUXNA");
  CHECK(count_kind(h, "referral.changed") == 2);
  CHECK(count_kind(h, "referral.withdrawn") == 1);
  REQUIRE(eventually([&] {
    const auto types = pushed_types(h, id);
    return std::find(types.begin(), types.end(), "referral.withdrawn") != types.end();
  }));
}

TEST_CASE(
    "a referral withdrawn while Jobbtorg is down is never delivered, nor its change; Jobbtorg hears only the "
    "withdrawal") {
  ReferralHarnessOptions options;
  options.max_attempts = 100;
  ReferralHarness h("lifecycle_withdrawn_before_sent", options);
  h.jobbtorg_faults({{"mode", "error"}, {"status", 503}});
  const std::string id = accepted_referral(h);
  REQUIRE(change(h, id, {{"target_group", "UNGA_VUXNA"}}).status == 202);
  REQUIRE(withdraw(h, id, "FEL_UPPGIFTER").status == 202);

  std::vector<std::string> statuses;
  const auto statuses_are = [&](const std::vector<std::string>& expected) {
    return eventually([&] {
      statuses.clear();
      const auto shown = h.gateway_get("/v1/referrals/" + id, kCaseSystemToken);
      for (const auto& m : shown.body["messages"]) {
        if (m["destination"] == "jobbtorg-sodra") statuses.push_back(m["status"]);
      }
      return statuses == expected;
    });
  };
  // An attempt already past its release check when the withdrawal was accepted still goes out.
  // Jobbtorg refuses it while down, and the attempt after that finds the withdrawal; only then is
  // Jobbtorg let back up, so that no such attempt can reach it.
  const bool held_while_down = statuses_are({"withheld", "withheld", "pending"});
  CAPTURE(statuses);
  REQUIRE(held_while_down);
  h.jobbtorg_faults(nullptr);
  // The referral and its change stay withheld; the withdrawal, content-free, goes anyway, since
  // whether an attempt whose answer was lost reached Jobbtorg cannot always be known.
  const bool withdrawal_delivered = statuses_are({"withheld", "withheld", "delivered"});
  CAPTURE(statuses);
  REQUIRE(withdrawal_delivered);
  CHECK(at_jobbtorg(h, id).is_null());
  const auto stats = h.jobbtorg_stats();
  CHECK(stats["withdrawn_unknown"] == nlohmann::json::array({id}));
  CHECK(stats["by_referral"].empty());
  // The case system hears of the withdrawal, and of no failed delivery.
  REQUIRE(eventually([&] { return pushed_types(h, id) == std::vector<std::string>{"referral.withdrawn"}; }));
}

TEST_CASE("a withdrawn referral takes no change or decision; a second withdrawal answers as the first") {
  ReferralHarness h("lifecycle_final");
  const std::string id = accepted_referral(h);
  REQUIRE(withdraw(h, id).status == 202);
  auto second = withdraw(h, id, "OVRIGT");
  CHECK(second.status == 200);
  CHECK(second.body["status"] == "withdrawn");
  CHECK(second.body["withdrawal"]["reason"] == "BEHOV_UPPHORT");
  auto changed = change(h, id, {{"extent_hours_per_week", 10}});
  CHECK(changed.status == 409);
  CHECK(changed.body["code"] == "referral_withdrawn");
  auto decided =
      h.gateway_send("POST", "/v1/referrals/" + id + "/decisions",
                     R"({"decision":"SANKTION","period":{"from":"2026-12-01","to":"2026-12-31"},"reference":"B-1"})",
                     kCaseSystemToken);
  CHECK(decided.status == 409);
  CHECK(count_kind(h, "referral.withdrawn") == 1);
  CHECK(count_kind(h, "referral.change_refused") == 2);
}

TEST_CASE("changes, withdrawals and decisions name every bad field, and another client's referral is not found") {
  ReferralHarness h("lifecycle_refusals");
  const std::string id = accepted_referral(h);
  auto bad = change(h, id, {{"extent_hours_per_week", 60}, {"target_group", "NOPE"}, {"person_id", "x"}});
  REQUIRE(bad.status == 400);
  std::set<std::string> names;
  for (const auto& p : bad.body["invalid-params"]) names.insert(p["name"].get<std::string>());
  CHECK(names == std::set<std::string>{"extent_hours_per_week", "target_group", "person_id"});
  CHECK(change(h, id, nlohmann::json::object()).status == 400);
  auto reason = withdraw(h, id, "LEDSEN");
  CHECK(reason.status == 400);
  CHECK(reason.body["invalid-params"][0]["name"] == "reason");
  auto decision =
      h.gateway_send("POST", "/v1/referrals/" + id + "/decisions",
                     R"({"decision":"BOT","period":{"from":"2026-12-31","to":"2026-12-01"}})", kCaseSystemToken);
  CHECK(decision.status == 400);
  names.clear();
  for (const auto& p : decision.body["invalid-params"]) names.insert(p["name"].get<std::string>());
  CHECK(names.contains("decision"));
  CHECK(names.contains("reference"));
  auto theirs =
      h.gateway_send("POST", "/v1/referrals/" + id + "/withdrawal", R"({"reason":"OVRIGT"})", kOtherClientToken);
  CHECK(theirs.status == 404);
  CHECK(h.gateway_get("/v1/referrals/" + id, kCaseSystemToken).body["status"] == "active");
  CHECK(count_kind(h, "referral.change_refused") == 5);
}

TEST_CASE("a decision goes to Jobbtorg after the referral and is audited both ways") {
  ReferralHarness h("lifecycle_decision");
  const std::string id = accepted_referral(h);
  auto decided = h.gateway_send(
      "POST", "/v1/referrals/" + id + "/decisions",
      R"({"decision":"SANKTION","period":{"from":"2026-12-01","to":"2026-12-31"},"reference":"BESLUT-2026-77"})",
      kCaseSystemToken, "decision-1");
  INFO(decided.body.dump());
  REQUIRE(decided.status == 202);
  REQUIRE(eventually([&] { return typ_sequence(at_jobbtorg(h, id)) == std::vector<std::string>{"BESLUT"}; }));
  const auto beslut = at_jobbtorg(h, id)["meddelanden"][0]["beslut"];
  CHECK(beslut["typ"] == "SANKTION");
  CHECK(beslut["periodFrom"] == "2026-12-01");
  CHECK(beslut["periodTom"] == "2026-12-31");
  CHECK(beslut["referens"] == "BESLUT-2026-77");
  const auto sent = records_of(h, "referral.decision_sent");
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].body["decision"]["reference"] == "BESLUT-2026-77");
  // Its delivery is in the chain too: what Jobbtorg was told, and when.
  REQUIRE(eventually([&] { return message_status(h, decided.body["message"]["message_id"]) == "delivered"; }));
}

TEST_CASE("a referral must rest on a consent this client recorded for Jobbtorg about the person, in force now") {
  ReferralHarness h("lifecycle_consent_required");
  const auto refused = [&](const std::string& reference) {
    auto body = referral_request();
    body["consent_reference"] = reference;
    return h.refer(body);
  };
  for (const std::string reference : {"SAM-2026-0042", "00000000-0000-4000-8000-000000000000"}) {
    auto r = refused(reference);
    INFO(r.body.dump());
    CHECK(r.status == 403);
    CHECK(r.body["code"] == "no_consent");
    CHECK(r.body["invalid-params"][0]["name"] == "consent_reference");
  }
  // A consent for another partner does not carry a referral.
  const nlohmann::json other = {
      {"person_id", "191212121212"},      {"partner", "jobbtorg-sodra"},       {"information_types", {"HANDLINGSPLAN"}},
      {"given_at", date_from_today(-30)}, {"expires_at", date_from_today(30)}, {"document_reference", "DOC-1"},
      {"case_id", "EB-2026-000123"}};
  auto recorded = h.gateway_post("/v1/consents", other.dump(), kCaseSystemToken);
  REQUIRE(recorded.status == 201);
  auto out_of_scope = refused(recorded.body["consent_id"]);
  CHECK(out_of_scope.status == 403);
  CHECK(out_of_scope.body["code"] == "consent_out_of_scope");
  // A withdrawn consent carries nothing.
  REQUIRE(h.gateway_send("DELETE", "/v1/consents/" + h.standing_consent(), "", kCaseSystemToken).status == 200);
  auto withdrawn = h.refer(referral_request());
  CHECK(withdrawn.status == 403);
  CHECK(withdrawn.body["code"] == "consent_withdrawn");
  CHECK(count_kind(h, "referral.refused") == 4);
  CHECK(count_kind(h, "referral.accepted") == 0);
  CHECK(h.jobbtorg_stats()["anvisningar_received"] == 0);
}

TEST_CASE("withdrawing the consent withdraws the referral; Jobbtorg's later reports are acknowledged, not published") {
  ReferralHarness h("lifecycle_consent_withdrawn");
  const std::string id = accepted_referral(h);
  REQUIRE(eventually([&] { return message_status(h, first_message(h, id)) == "delivered"; }));
  auto before = h.jobbtorg_report(id, {{"typ", "INSKRIVNING"}});
  REQUIRE(before["gateway_status"] == 202);

  auto consent_withdrawn = h.gateway_send("DELETE", "/v1/consents/" + h.standing_consent(), "", kCaseSystemToken);
  INFO(consent_withdrawn.body.dump());
  REQUIRE(consent_withdrawn.status == 200);
  REQUIRE(
      eventually([&] { return typ_sequence(at_jobbtorg(h, id)) == std::vector<std::string>{"ANVISNING_ATERKALLAD"}; }));
  CHECK(at_jobbtorg(h, id)["meddelanden"][0]["orsak"] == "SAMTYCKE_ATERKALLAT");
  const auto consent_records = records_of(h, "consent.withdrawn");
  REQUIRE(consent_records.size() == 1);
  REQUIRE(consent_records[0].body["referrals_withdrawn"].size() == 1);
  CHECK(consent_records[0].body["referrals_withdrawn"][0]["referral_id"] == id);
  CHECK(h.gateway_get("/v1/referrals/" + id, kCaseSystemToken).body["status"] == "withdrawn");

  const auto pushed_before = pushed_types(h, id);
  auto after = h.jobbtorg_report(id, {{"typ", "NARVARO"}});
  CHECK(after["gateway_status"] == 202);
  const auto received = records_of(h, "referral.report_received");
  REQUIRE(received.size() == 2);
  CHECK(received[1].body["not_published"]["reason"] == "referral_withdrawn");
  CHECK(received[1].body["event_ids"].empty());
  std::this_thread::sleep_for(500ms);
  CHECK(pushed_types(h, id) == pushed_before);
}

TEST_CASE("closing a case keeps its reason and withdraws its referrals, telling Jobbtorg why") {
  ReferralHarness h("lifecycle_case_closed");
  const std::string id = accepted_referral(h);
  REQUIRE(eventually([&] { return message_status(h, first_message(h, id)) == "delivered"; }));
  const nlohmann::json closing = {
      {"status", "closed"}, {"unit", "Skärholmen ekonomiskt bistånd"}, {"household", {"191212121212"}}};
  auto bad_reason = closing;
  bad_reason["closure_reason"] = "TROTT";
  auto refused = h.gateway_send("PUT", "/v1/cases/EB-2026-000123", bad_reason.dump(), kCaseSystemToken);
  CHECK(refused.status == 400);
  CHECK(refused.body["invalid-params"][0]["name"] == "closure_reason");
  auto reason_on_open = closing;
  reason_on_open["status"] = "open";
  reason_on_open["closure_reason"] = "FLYTTAT";
  CHECK(h.gateway_send("PUT", "/v1/cases/EB-2026-000123", reason_on_open.dump(), kCaseSystemToken).status == 400);
  auto closed = closing;
  closed["closure_reason"] = "EGEN_FORSORJNING";
  auto done = h.gateway_send("PUT", "/v1/cases/EB-2026-000123", closed.dump(), kCaseSystemToken);
  INFO(done.body.dump());
  REQUIRE(done.status == 200);
  CHECK(done.body["closure_reason"] == "EGEN_FORSORJNING");
  REQUIRE(
      eventually([&] { return typ_sequence(at_jobbtorg(h, id)) == std::vector<std::string>{"ANVISNING_ATERKALLAD"}; }));
  CHECK(at_jobbtorg(h, id)["meddelanden"][0]["orsak"] == "ARENDE_AVSLUTAT");
  const auto updated = records_of(h, "case.updated");
  REQUIRE(updated.size() == 1);
  CHECK(updated[0].body["referrals_withdrawn"][0]["referral_id"] == id);
  // Closing a closed case again withdraws nothing more.
  REQUIRE(h.gateway_send("PUT", "/v1/cases/EB-2026-000123", closed.dump(), kCaseSystemToken).status == 200);
  std::this_thread::sleep_for(300ms);
  CHECK(typ_sequence(at_jobbtorg(h, id)).size() == 1);
}

TEST_CASE(
    "the unit's assessment result goes to Jobbtorg coded, after the referral; codes outside the lists are named") {
  ReferralHarness h("lifecycle_assessment");
  const std::string id = accepted_referral(h);
  const nlohmann::json result = {{"instrument", "FIA"},
                                 {"part", "SOCIAL_SITUATION"},
                                 {"completed_on", date_from_today(-1)},
                                 {"results", {{"BOENDE", "VISST_HINDER"}, {"UTBILDNINGSNIVA", "GYMNASIAL"}}}};
  auto sent = h.gateway_send("POST", "/v1/referrals/" + id + "/assessments", result.dump(), kCaseSystemToken, "fia-1");
  INFO(sent.body.dump());
  REQUIRE(sent.status == 202);
  REQUIRE(eventually([&] { return typ_sequence(at_jobbtorg(h, id)) == std::vector<std::string>{"BEDOMNING"}; }));
  const auto bedomning = at_jobbtorg(h, id)["meddelanden"][0]["bedomning"];
  CHECK(bedomning["instrument"] == "FIA");
  CHECK(bedomning["del"] == "SOCIAL_SITUATION");
  CHECK(bedomning["datum"] == date_from_today(-1));
  CHECK(bedomning["resultat"] == nlohmann::json{{"BOENDE", "VISST_HINDER"}, {"UTBILDNINGSNIVA", "GYMNASIAL"}});
  CHECK(bedomning["bedomningsId"] == sent.body["assessment"]["assessment_id"]);
  const auto records = records_of(h, "referral.assessment_sent");
  REQUIRE(records.size() == 1);
  CHECK(records[0].body["assessment"]["results"]["BOENDE"] == "VISST_HINDER");

  auto wrong = result;
  wrong["part"] = "DEL2";  // Jobbtorg's part, not the unit's
  wrong["completed_on"] = date_from_today(1);
  wrong["results"] = {{"BOENDE", "LITE"}, {"HUMOR", "INGET_HINDER"}, {"UTBILDNINGSNIVA", "VISST_HINDER"}};
  auto refused = h.gateway_send("POST", "/v1/referrals/" + id + "/assessments", wrong.dump(), kCaseSystemToken);
  REQUIRE(refused.status == 400);
  std::set<std::string> names;
  for (const auto& p : refused.body["invalid-params"]) names.insert(p["name"].get<std::string>());
  CHECK(names ==
        std::set<std::string>{"part", "completed_on", "results.BOENDE", "results.HUMOR", "results.UTBILDNINGSNIVA"});
  CHECK(count_kind(h, "referral.change_refused") == 1);
}
