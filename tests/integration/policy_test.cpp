// The policy step every lookup passes (operation, purpose, period, case scope, consent, protected
// identity), through the real gateway binary with the Arbetsförmedlingen (consent-based) and
// Försäkringskassan (by law, two years) simulators. Every refusal must be audited with its reason.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <set>

#include "gateway_harness.h"
#include "relative_dates.h"

using namespace knutpunkt::testing;

namespace {

nlohmann::json af_request(const std::string& person = "19121212-1212",
                          std::vector<std::string> sources = {"HANDLINGSPLAN", "AKTIVITETSRAPPORTER"}) {
  auto request = full_lookup_request(person);
  request["purpose"] = "arbetsmarknadsinsats";
  request["sources"] = sources;
  return request;
}

nlohmann::json fk_request(const std::string& person = "19121212-1212") {
  auto request = full_lookup_request(person);
  request["sources"] = {"FORMANER", "PAGAENDE"};
  return request;
}

// POST /v1/consents for AF; returns the consent id.
std::string give_consent(GatewayHarness& gw, const std::string& person, const nlohmann::json& types,
                         const std::string& given_at = date_from_today(-30),
                         const std::string& expires_at = date_from_today(365)) {
  const nlohmann::json body = {{"person_id", person},         {"partner", "arbetsformedlingen"},
                               {"information_types", types},  {"given_at", given_at},
                               {"expires_at", expires_at},    {"document_reference", "SAMTYCKE-2026-0042"},
                               {"case_id", kStandingCase}};
  auto reply = gw.post("/v1/consents", body.dump(), bearer(kCaseSystemToken));
  INFO(reply.body.dump());
  REQUIRE(reply.status == 201);
  return reply.body["consent_id"];
}

// The refusal's audit record: present, kind lookup.refused, with the code the client was given.
nlohmann::json refusal_record(GatewayHarness& gw, const HttpReply& reply) {
  REQUIRE(reply.body.contains("lookup_id"));
  auto records = gw.audit_records_for(reply.body["lookup_id"]);
  REQUIRE(records.size() == 1);
  CHECK(records[0].kind == "lookup.refused");
  CHECK(records[0].body["code"] == reply.body["code"]);
  CHECK(records[0].body["status"] == reply.status);
  return records[0].body;
}

std::string invalid_param(const HttpReply& reply) {
  if (!reply.body.contains("invalid-params") || reply.body["invalid-params"].empty()) return "";
  return reply.body["invalid-params"][0]["name"];
}

int af_requests(GatewayHarness& gw) {
  auto stats = gw.af_simulator->Get("/_sim/stats");
  REQUIRE(stats);
  const auto body = nlohmann::json::parse(stats->body);
  return body.value("requests_total", -1);
}

}  // namespace

TEST_CASE("a consent-based lookup goes through with a consent in force, and the audit names the consent") {
  GatewayHarness gw("policy_consent_valid", af_fk());
  const std::string consent = give_consent(gw, "191212121212", {"HANDLINGSPLAN", "AKTIVITETSRAPPORTER"});
  auto reply = gw.lookup_at("arbetsformedlingen", af_request());
  INFO(reply.body.dump(2));
  REQUIRE(reply.status == 200);
  CHECK(reply.body["status"] == "complete");
  CHECK_FALSE(reply.body["sources"]["HANDLINGSPLAN"]["events"].empty());
  auto record = gw.audit_records_for(reply.body["lookup_id"]).at(0);
  CHECK(record.kind == "lookup");
  CHECK(record.body["legal_ground"] == "consent");
  CHECK(record.body["sources"]["HANDLINGSPLAN"]["consent"]["id"] == consent);
  CHECK(record.body["sources"]["AKTIVITETSRAPPORTER"]["consent"]["document_reference"] == "SAMTYCKE-2026-0042");
}

TEST_CASE("a consent-based lookup without a consent, or one that does not cover a source, is refused with 403") {
  GatewayHarness gw("policy_consent_none", af_fk());
  auto none = gw.lookup_at("arbetsformedlingen", af_request());
  REQUIRE(none.status == 403);
  CHECK(none.body["code"] == "no_consent");
  CHECK(invalid_param(none) == "sources[0]");
  auto record = refusal_record(gw, none);
  CHECK(record["policy"]["consents"]["HANDLINGSPLAN"]["verdict"] == "no_consent");
  CHECK(record["person"]["id"] == "191212121212");
  CHECK(record["case_id"] == kStandingCase);

  // A consent for the plan only: the reports are out of its scope, and nothing is fetched.
  give_consent(gw, "191212121212", {"HANDLINGSPLAN"});
  const int before = af_requests(gw);
  auto partial = gw.lookup_at("arbetsformedlingen", af_request());
  REQUIRE(partial.status == 403);
  CHECK(partial.body["code"] == "consent_out_of_scope");
  CHECK(invalid_param(partial) == "sources[1]");
  CHECK(af_requests(gw) == before);
  auto scoped = refusal_record(gw, partial);
  CHECK(scoped["policy"]["consents"]["HANDLINGSPLAN"]["verdict"] == "valid");
  CHECK(scoped["policy"]["consents"]["AKTIVITETSRAPPORTER"]["verdict"] == "consent_out_of_scope");
}

TEST_CASE("a withdrawn consent stops the next exchange") {
  GatewayHarness gw("policy_consent_withdrawn", af_fk());
  const std::string consent = give_consent(gw, "191212121212", {"HANDLINGSPLAN", "AKTIVITETSRAPPORTER"});
  REQUIRE(gw.lookup_at("arbetsformedlingen", af_request()).status == 200);
  REQUIRE(gw.del("/v1/consents/" + consent, bearer(kCaseSystemToken)).status == 200);
  auto after = gw.lookup_at("arbetsformedlingen", af_request());
  REQUIRE(after.status == 403);
  CHECK(after.body["code"] == "consent_withdrawn");
  CHECK(refusal_record(gw, after)["policy"]["consents"]["HANDLINGSPLAN"]["consent_id"] == consent);
}

TEST_CASE("an expired consent stops the exchange") {
  GatewayHarness gw("policy_consent_expired", af_fk());
  give_consent(gw, "191212121212", {"HANDLINGSPLAN", "AKTIVITETSRAPPORTER"}, date_from_today(-365),
               date_from_today(-180));
  auto reply = gw.lookup_at("arbetsformedlingen", af_request());
  REQUIRE(reply.status == 403);
  CHECK(reply.body["code"] == "consent_expired");
  refusal_record(gw, reply);
}

TEST_CASE("another client's consent is not this client's to rely on") {
  GatewayHarness gw("policy_consent_other_client", af_fk());
  give_consent(gw, "191212121212", {"HANDLINGSPLAN", "AKTIVITETSRAPPORTER"});
  // other-client may not look up at AF at all; grant aside, the consent is case-system's.
  auto reply = gw.lookup_at("arbetsformedlingen", af_request(), kOtherClientToken);
  REQUIRE(reply.status == 403);
  CHECK(reply.body["code"] == "operation_not_allowed");
  CHECK(refusal_record(gw, reply)["policy"]["operation"] == "lookup:arbetsformedlingen");
}

TEST_CASE("a purpose the partner may not be asked under is refused with 403 naming purpose") {
  GatewayHarness gw("policy_wrong_purpose", af_fk());
  auto request = fk_request();
  request["purpose"] = "arbetsmarknadsinsats";  // the client's, but FK is asked for ekonomiskt bistånd only
  auto reply = gw.lookup_at("forsakringskassan", request);
  REQUIRE(reply.status == 403);
  CHECK(reply.body["code"] == "purpose_not_allowed");
  CHECK(invalid_param(reply) == "purpose");
  CHECK(refusal_record(gw, reply)["purpose"] == "arbetsmarknadsinsats");
}

TEST_CASE("a person outside the case's household, an unknown case and a closed case are refused with 403") {
  GatewayHarness gw("policy_case_scope", af_fk());
  REQUIRE(gw.register_case("EB-2026-000200", {"191212121212"}).status == 201);
  REQUIRE(gw.register_case("EB-2026-000300", {"191212121212"}, "closed").status == 201);

  auto outsider = fk_request("19811218-9876");
  outsider["case_id"] = "EB-2026-000200";
  auto not_member = gw.lookup_at("forsakringskassan", outsider);
  REQUIRE(not_member.status == 403);
  CHECK(not_member.body["code"] == "not_in_household");
  CHECK(invalid_param(not_member) == "person");
  CHECK(refusal_record(gw, not_member)["person"]["id"] == "198112189876");

  auto unknown = fk_request();
  unknown["case_id"] = "EB-2026-999999";
  auto no_case = gw.lookup_at("forsakringskassan", unknown);
  REQUIRE(no_case.status == 403);
  CHECK(no_case.body["code"] == "no_open_case");
  CHECK(invalid_param(no_case) == "case_id");
  refusal_record(gw, no_case);

  auto closed_case = fk_request();
  closed_case["case_id"] = "EB-2026-000300";
  auto closed = gw.lookup_at("forsakringskassan", closed_case);
  REQUIRE(closed.status == 403);
  CHECK(closed.body["code"] == "case_closed");
  refusal_record(gw, closed);

  // Cases are per client: the other client cannot borrow this client's case.
  auto borrowed = full_lookup_request();
  borrowed["purpose"] = "arbetsmarknadsinsats";
  auto other = gw.lookup(borrowed, kOtherClientToken);
  REQUIRE(other.status == 403);
  CHECK(other.body["code"] == "purpose_not_allowed");  // SSBTEK serves ekonomiskt bistånd only
}

TEST_CASE("a period over the partner's limit is refused with 400 naming period.to, before the partner is asked") {
  GatewayHarness gw("policy_period", af_fk());
  auto longest = fk_request();
  longest["period"] = {{"from", "2024-01-01"}, {"to", "2026-01-01"}};  // exactly two years: allowed
  auto allowed = gw.lookup_at("forsakringskassan", longest);
  INFO(allowed.body.dump());
  REQUIRE(allowed.status == 200);
  CHECK(allowed.body["status"] == "complete");

  auto too_long = fk_request();
  too_long["period"] = {{"from", "2024-01-01"}, {"to", "2026-01-02"}};
  auto refused = gw.lookup_at("forsakringskassan", too_long);
  REQUIRE(refused.status == 400);
  CHECK(refused.body["code"] == "period_too_long");
  CHECK(invalid_param(refused) == "period.to");
  auto record = refusal_record(gw, refused);
  CHECK(record["policy"]["max_period_months"] == 24);
  CHECK(record["period"]["to"] == "2026-01-02");
}

TEST_CASE("Försäkringskassan's avvikelser make a partial answer per item, not a failed one") {
  GatewayHarness gw("policy_fk_avvikelser", af_fk());
  auto reply = gw.lookup_at("forsakringskassan", fk_request("196305024579"));
  INFO(reply.body.dump(2));
  REQUIRE(reply.status == 200);
  const auto& formaner = reply.body["sources"]["FORMANER"];
  CHECK(formaner["status"] == "ok");
  REQUIRE(formaner.contains("deviations"));
  CHECK_FALSE(formaner["deviations"].empty());
  auto record = gw.audit_records_for(reply.body["lookup_id"]).at(0);
  CHECK(record.body["sources"]["FORMANER"]["deviations"] == formaner["deviations"]);
  CHECK(record.body["legal_ground"] == "law");
}

TEST_CASE("a person AF flags as protected has location facts stripped, and stays protected at FK") {
  GatewayHarness gw("policy_protected", af_fk());
  give_consent(gw, "198112189876", {"HANDLINGSPLAN"});
  auto af = gw.lookup_at("arbetsformedlingen", af_request("19811218-9876", {"HANDLINGSPLAN"}));
  INFO(af.body.dump(2));
  REQUIRE(af.status == 200);
  CHECK(af.body["person"]["protected_identity"] == true);
  const auto& events = af.body["sources"]["HANDLINGSPLAN"]["events"];
  REQUIRE_FALSE(events.empty());
  for (const auto& event : events) {
    CHECK(event["protected_identity"] == true);
    for (const auto& [fact, _] : event["facts"].items()) {
      CHECK(fact.find("address") == std::string::npos);
      CHECK(fact.find("municipality") == std::string::npos);
    }
  }
  CHECK(af.body.dump().find("location_address") == std::string::npos);
  CHECK(gw.audit_records_for(af.body["lookup_id"]).at(0).body["protected_identity_remembered"] == true);

  // FK's PAGAENDE answer for this person is asked afterwards: protected from memory at once.
  auto fk = gw.lookup_at("forsakringskassan", fk_request("19811218-9876"));
  REQUIRE(fk.status == 200);
  CHECK(fk.body["person"]["protected_identity"] == true);
}

namespace {

nlohmann::json fixture(const std::string& name) {
  std::ifstream in(repo_root() / "tests/fixtures/forsakringskassan" / name);
  return nlohmann::json::parse(in);
}

HttpReply notify(GatewayHarness& gw, const nlohmann::json& notification, const std::string& token = kFkPartnerToken) {
  return gw.post("/v1/partners/forsakringskassan/reports", notification.dump(), bearer(token));
}

std::vector<nlohmann::json> decisions_in_feed(GatewayHarness& gw, const std::string& token = kCaseSystemToken) {
  auto page = gw.get_with("/v1/events?limit=100", bearer(token));
  REQUIRE(page.status == 200);
  std::vector<nlohmann::json> out;
  for (const auto& e : page.body["events"]) {
    if (e["type"] == "benefit.decision_received") out.push_back(e);
  }
  return out;
}

}  // namespace

TEST_CASE("Försäkringskassan's decision becomes benefit.decision_received in the person's open case; a repeat is ignored") {
  GatewayHarness gw("policy_fk_decision", af_fk());
  const auto notification = fixture("beslutsnotifiering-191212121212.json");
  auto first = notify(gw, notification);
  INFO(first.body.dump());
  REQUIRE(first.status == 202);
  const std::string receipt = first.body["receipt_id"];

  auto repeat = notify(gw, notification);
  CHECK(repeat.status == 200);
  CHECK(repeat.body["duplicate"] == true);

  auto decisions = decisions_in_feed(gw);
  REQUIRE(decisions.size() == 1);
  const auto& event = decisions[0];
  // Where it went is in the audit record under the receipt id, not in the answer to FK.
  nlohmann::json received;
  for (const auto& r : gw.audit_records()) {
    if (r.kind == "partner.notification_received" && r.body["receipt_id"] == receipt) received = r.body;
  }
  REQUIRE(received.is_object());
  CHECK(received["event_ids"] == nlohmann::json::array({event["event_id"]}));
  CHECK(event["case_id"] == kStandingCase);
  CHECK(event["subject"]["person_id"] == "191212121212");
  CHECK(event["source_partner"] == "forsakringskassan");
  CHECK(event["facts"]["benefit_code"] == "FK:BOB");
  CHECK(event["facts"]["outcome"] == "BIFALL");
  CHECK(event["facts"]["amount_ore"] == 184700);
  // Another client has no case with this person: it hears nothing.
  CHECK(decisions_in_feed(gw, kOtherClientToken).empty());
  CHECK(count_kind(gw, "partner.notification_received") == 1);
}

TEST_CASE("a decision about a person in no open case is acknowledged and audited, not passed on") {
  GatewayHarness gw("policy_fk_decision_no_case", af_fk());
  REQUIRE(gw.register_case(kStandingCase, {"191212121212"}, "closed").status == 200);
  auto reply = notify(gw, fixture("beslutsnotifiering-191212121212.json"));
  REQUIRE(reply.status == 202);
  CHECK_FALSE(reply.body.contains("event_ids"));
  CHECK(decisions_in_feed(gw).empty());
  bool audited = false;
  for (const auto& r : gw.audit_records()) {
    if (r.kind == "partner.notification_received") {
      audited = true;
      CHECK(r.body["outcome"] == "no_open_case");
      CHECK(r.body["person"]["id"] == "191212121212");
    }
  }
  CHECK(audited);
}

TEST_CASE("Försäkringskassan is answered the same whether or not the person is in an open social-services case") {
  GatewayHarness gw("policy_fk_decision_no_oracle", af_fk());
  // In the standing case's household.
  auto in_case = notify(gw, fixture("beslutsnotifiering-191212121212.json"));
  // The same person's case closed: in no open case.
  REQUIRE(gw.register_case(kStandingCase, {"191212121212"}, "closed").status == 200);
  auto no_case = notify(gw, fixture("beslutsnotifiering-197010632391.json"));
  INFO(in_case.body.dump() + " / " + no_case.body.dump());
  REQUIRE(in_case.status == 202);
  CHECK(no_case.status == in_case.status);
  CHECK(no_case.content_type == in_case.content_type);
  const auto keys = [](const nlohmann::json& body) {
    std::set<std::string> out;
    for (const auto& [key, _] : body.items()) out.insert(key);
    return out;
  };
  CHECK(keys(in_case.body) == std::set<std::string>{"status", "receipt_id"});
  CHECK(keys(no_case.body) == keys(in_case.body));
  CHECK(no_case.body["status"] == in_case.body["status"]);
  CHECK(no_case.body["receipt_id"] != in_case.body["receipt_id"]);
  // The difference is in the audit log only.
  std::map<std::string, std::string> outcome_by_receipt;
  for (const auto& r : gw.audit_records()) {
    if (r.kind == "partner.notification_received") outcome_by_receipt[r.body["receipt_id"]] = r.body["outcome"];
  }
  CHECK(outcome_by_receipt[in_case.body["receipt_id"]] == "published");
  CHECK(outcome_by_receipt[no_case.body["receipt_id"]] == "no_open_case");
}

TEST_CASE("decision notifications are refused from anyone but Försäkringskassan, and when malformed") {
  GatewayHarness gw("policy_fk_decision_refused", af_fk());
  auto notification = fixture("beslutsnotifiering-191212121212.json");
  CHECK(notify(gw, notification, kCaseSystemToken).status == 403);
  notification["beslut"].erase("utfall");
  auto malformed = notify(gw, notification);
  CHECK(malformed.status == 400);
  CHECK(invalid_param(malformed) == "/beslut/utfall");
  notification = fixture("beslutsnotifiering-191212121212.json");
  notification["personnummer"] = "191212121213";  // wrong check digit
  CHECK(notify(gw, notification).status == 400);
  CHECK(decisions_in_feed(gw).empty());
  CHECK(count_kind(gw, "referral.report_refused") == 3);
}

TEST_CASE("a decision flagged skyddad marks its events and is remembered for later lookups") {
  GatewayHarness gw("policy_fk_decision_protected", af_fk());
  auto reply = notify(gw, fixture("beslutsnotifiering-198112189876.json"));
  REQUIRE(reply.status == 202);
  auto decisions = decisions_in_feed(gw);
  REQUIRE(decisions.size() == 1);
  CHECK(decisions[0]["protected_identity"] == true);
  // SSBTEK's TNS source never flags; the person is protected from memory.
  auto request = full_lookup_request("19811218-9876");
  request["sources"] = {"TNS"};
  auto lookup = gw.lookup(request);
  REQUIRE(lookup.status == 200);
  CHECK(lookup.body["person"]["protected_identity"] == true);
}

namespace {

nlohmann::json atersokning_request(const std::string& person = "19121212-1212") {
  return {{"case_id", kStandingCase},
          {"person_id", person},
          {"purpose", "ekonomiskt_bistand"},
          {"benefit_code", "FK:BOB"},
          {"period", {{"from", "2026-06-01"}, {"to", "2026-08-31"}}},
          {"amount_ore", 1234500},
          {"decided_on", "2026-06-05"},
          {"caseworker", {{"id", "hand-0042"}, {"unit", "Enskede-Årsta-Vantör"}}}};
}

HttpReply request_atersokning(GatewayHarness& gw, const nlohmann::json& body, const std::string& key = {},
                              const std::string& token = kCaseSystemToken) {
  httplib::Headers headers = bearer(token);
  if (!key.empty()) headers.emplace("Idempotency-Key", key);
  return gw.post("/v1/atersokningar", body.dump(), headers);
}

std::vector<std::string> feed_types(GatewayHarness& gw, const std::string& correlation_id) {
  auto page = gw.get_with("/v1/events?limit=100", bearer(kCaseSystemToken));
  REQUIRE(page.status == 200);
  std::vector<std::string> types;
  for (const auto& e : page.body["events"]) {
    if (e["correlation_id"] == correlation_id || e["facts"].value("recovery_claim_id", "") == correlation_id) {
      types.push_back(e["type"]);
    }
  }
  return types;
}

nlohmann::json fk_stats(GatewayHarness& gw) {
  auto stats = gw.fk_simulator->Get("/_sim/stats");
  REQUIRE(stats);
  return nlohmann::json::parse(stats->body);
}

}  // namespace

TEST_CASE("an återsökning reaches Försäkringskassan once through the outbox, and FK's decision comes back to the case") {
  GatewayHarness gw("policy_atersokning", af_fk());
  auto accepted = request_atersokning(gw, atersokning_request(), "ater-1");
  INFO(accepted.body.dump());
  REQUIRE(accepted.status == 202);
  const std::string id = accepted.body["atersokning_id"];
  CHECK(accepted.body["destination"] == "forsakringskassan");

  // The same key and body: the first answer again, and FK still gets it once.
  auto again = request_atersokning(gw, atersokning_request(), "ater-1");
  CHECK(again.status == 202);
  CHECK(again.body["atersokning_id"] == id);

  // Delivered, acknowledged to the case system, and FK's decision (paid to the nämnd) arrives.
  REQUIRE(eventually([&] {
    const auto types = feed_types(gw, id);
    return std::find(types.begin(), types.end(), "atersokning.sent") != types.end() &&
           std::find(types.begin(), types.end(), "benefit.decision_received") != types.end();
  }));
  CHECK(fk_stats(gw)["atersokning_effects"] == 1);
  auto decisions = decisions_in_feed(gw);
  REQUIRE(decisions.size() == 1);
  CHECK(decisions[0]["facts"]["recovery_claim_id"] == id);
  CHECK(decisions[0]["facts"]["paid_to"] == "NAMND");
  CHECK(decisions[0]["case_id"] == kStandingCase);

  bool audited = false;
  for (const auto& r : gw.audit_records()) {
    if (r.kind == "atersokning.requested") {
      audited = true;
      CHECK(r.body["atersokning_id"] == id);
      CHECK(r.body["atersokning"]["person"]["id"] == "191212121212");
      CHECK(r.body["legal_ground"] == "law");
    }
  }
  CHECK(audited);
}

TEST_CASE("an återsökning is held to the policy step and to FK's rules, each refusal audited") {
  GatewayHarness gw("policy_atersokning_refused", af_fk());
  const auto refused = [&](nlohmann::json body, const std::string& token = kCaseSystemToken) {
    return request_atersokning(gw, body, {}, token);
  };
  auto small = atersokning_request();
  small["amount_ore"] = 100000;  // exactly 1,000 kronor: FK takes only more
  auto below = refused(small);
  CHECK(below.status == 400);
  CHECK(invalid_param(below) == "amount_ore");

  auto outsider = atersokning_request("19630502-4579");
  REQUIRE(gw.register_case("EB-2026-000400", {"191212121212"}).status == 201);
  outsider["case_id"] = "EB-2026-000400";
  auto not_member = refused(outsider);
  CHECK(not_member.status == 403);
  CHECK(not_member.body["code"] == "not_in_household");
  CHECK(invalid_param(not_member) == "person_id");

  auto long_period = atersokning_request();
  long_period["period"] = {{"from", "2024-01-01"}, {"to", "2026-06-30"}};
  auto too_long = refused(long_period);
  CHECK(too_long.status == 400);
  CHECK(too_long.body["code"] == "period_too_long");

  auto wrong_purpose = atersokning_request();
  wrong_purpose["purpose"] = "arbetsmarknadsinsats";
  CHECK(refused(wrong_purpose).body["code"] == "purpose_not_allowed");

  auto not_granted = refused(atersokning_request(), kOtherClientToken);
  CHECK(not_granted.status == 403);

  auto bad_code = atersokning_request();
  bad_code["benefit_code"] = "BOB";
  CHECK(invalid_param(refused(bad_code)) == "benefit_code");

  CHECK(count_kind(gw, "atersokning.refused") == 6);
  CHECK(count_kind(gw, "atersokning.requested") == 0);
  CHECK(fk_stats(gw)["atersokningar"] == 0);
}
