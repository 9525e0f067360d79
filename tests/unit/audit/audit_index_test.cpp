// index_entry over the audit bodies the gateway writes. Bodies with a producing function are
// built by it (lookup_audit_body, to_json(Referral), to_json(Atersokning)), so a change of shape
// there breaks these tests; the others are copied from the endpoint that appends them.
#include "audit/audit_index.h"

#include <catch2/catch.hpp>

#include "atersokning/atersokning_service.h"
#include "lookup/lookup_service.h"
#include "referral/referral.h"

using knutpunkt::AuditIndexEntry;
using knutpunkt::index_entry;
using Json = nlohmann::json;

namespace {

const std::string kPerson = "191212121212";
const std::string kPartner2 = "197010632391";

knutpunkt::LookupAnswer answer(bool all_ok) {
  knutpunkt::LookupAnswer a;
  a.query.lookup_id = "lk-1";
  a.query.client_id = "stockholm-ekb";
  a.query.person_id = kPerson;
  a.query.id_kind = "personnummer";
  a.query.case_id = "EB-2026-0042";
  a.query.purpose = "ekonomiskt_bistand";
  a.query.legal_basis = "11 kap. 11 a § SoL";
  a.query.caseworker.id = "hw-anna";
  a.query.caseworker.unit = "Farsta";
  a.adapter = "ssbtek";
  knutpunkt::SourceOutcome af;
  af.source = "AF";
  af.status = knutpunkt::SourceStatus::ok;
  knutpunkt::SourceOutcome fk;
  fk.source = "FK";
  fk.status = all_ok ? knutpunkt::SourceStatus::ok : knutpunkt::SourceStatus::timeout;
  a.outcomes = {af, fk};
  return a;
}

knutpunkt::Referral referral() {
  knutpunkt::Referral r;
  r.referral_id = "ref-1";
  r.client_id = "stockholm-ekb";
  r.case_id = "EB-2026-0042";
  r.municipality = "0180";
  r.unit = "Farsta";
  r.district = "soder";
  r.person_id = kPerson;
  r.id_kind = "personnummer";
  r.caseworker.id = "hw-anna";
  r.purpose = "arbetsmarknadsinsats";
  return r;
}

// Exchange::refuse (http/exchange.cpp): the audit context plus outcome, status and code.
Json refused(Json context, int status, const std::string& code) {
  context["outcome"] = "refused";
  context["status"] = status;
  context["code"] = code;
  return context;
}

}  // namespace

TEST_CASE("a completed lookup is indexed by its caseworker, case, client, adapter and person") {
  const auto e = index_entry("lookup", knutpunkt::lookup_audit_body(answer(true)));
  CHECK(e.operation == "lookup");
  CHECK(e.outcome == "complete");
  CHECK(e.reason.empty());
  CHECK(e.client == "stockholm-ekb");
  CHECK(e.caseworker == "hw-anna");
  CHECK(e.case_id == "EB-2026-0042");
  CHECK(e.partner == "ssbtek");
  CHECK(e.persons == std::vector<std::string>{kPerson});
}

TEST_CASE("a lookup where a source did not answer is partial") {
  CHECK(index_entry("lookup", knutpunkt::lookup_audit_body(answer(false))).outcome == "partial");
}

TEST_CASE("a refused lookup keeps who tried to look up whom, and the refusal code as the reason") {
  // http/lookup_endpoint.cpp refusal_audit_body
  const Json body = {{"lookup_id", "lk-2"},
                     {"outcome", "refused"},
                     {"status", 403},
                     {"code", "not_in_household"},
                     {"client", "stockholm-ekb"},
                     {"adapter", "ssbtek"},
                     {"remote_address", "10.0.0.7"},
                     {"person_as_given", "19121212-1212"},
                     {"person", {{"id", kPerson}, {"kind", "personnummer"}}},
                     {"case_id", "EB-2026-0042"},
                     {"purpose", "ekonomiskt_bistand"},
                     {"caseworker", {{"id", "hw-anna"}, {"unit", "Farsta"}}},
                     {"policy", {{"consents", Json::object()}}}};
  const auto e = index_entry("lookup.refused", body);
  CHECK(e.operation == "lookup");
  CHECK(e.outcome == "refused");
  CHECK(e.reason == "not_in_household");
  CHECK(e.client == "stockholm-ekb");
  CHECK(e.caseworker == "hw-anna");
  CHECK(e.persons == std::vector<std::string>{kPerson});
}

TEST_CASE("an unauthenticated refusal has no client, and an unparsed personnummer is not indexed") {
  const Json body = {{"lookup_id", "lk-3"}, {"outcome", "refused"}, {"status", 401}, {"code", "unauthenticated"},
                     {"client", nullptr},   {"adapter", ""},        {"person_as_given", "1912-nonsense"}};
  const auto e = index_entry("lookup.refused", body);
  CHECK(e.client.empty());
  CHECK(e.reason == "unauthenticated");
  CHECK(e.persons.empty());
}

TEST_CASE("an accepted referral is indexed by the referral's client, caseworker, case, person and destination") {
  const Json sent = knutpunkt::to_json(referral());
  // referral/referral_service.cpp prepare()
  const Json body = {{"referral_id", "ref-1"}, {"referral", sent}, {"destinations", {"jobbtorg-soder"}},
                     {"message_ids", {"m-1"}}};
  const auto e = index_entry("referral.accepted", body);
  CHECK(e.operation == "referral");
  CHECK(e.outcome == "accepted");
  CHECK(e.client == "stockholm-ekb");
  CHECK(e.caseworker == "hw-anna");
  CHECK(e.case_id == "EB-2026-0042");
  CHECK(e.partner == "jobbtorg-soder");
  CHECK(e.persons == std::vector<std::string>{kPerson});
}

TEST_CASE("a protected person's referral is indexed as held for manual handling, with where it would have gone") {
  auto r = referral();
  r.protected_identity = true;
  const Json body = {{"referral_id", "ref-1"},
                     {"referral", knutpunkt::to_json(r)},
                     {"destinations", Json::array()},
                     {"held_for_manual_handling",
                      {{"manual_item_id", "mi-1"}, {"reason", "protected_identity"}, {"would_go_to", "jobbtorg-soder"}}}};
  const auto e = index_entry("referral.accepted", body);
  CHECK(e.outcome == "held_for_manual_handling");
  CHECK(e.reason == "protected_identity");
  CHECK(e.partner == "jobbtorg-soder");
  CHECK(e.persons == std::vector<std::string>{kPerson});
}

TEST_CASE("a refused referral keeps the referral's person and the policy's reason") {
  const Json body = refused({{"remote_address", "10.0.0.7"}, {"client", "stockholm-ekb"},
                             {"referral", knutpunkt::to_json(referral())}, {"policy", Json::object()}},
                            403, "no_open_case");
  const auto e = index_entry("referral.refused", body);
  CHECK(e.operation == "referral");
  CHECK(e.outcome == "refused");
  CHECK(e.reason == "no_open_case");
  CHECK(e.case_id == "EB-2026-0042");
  CHECK(e.persons == std::vector<std::string>{kPerson});
}

TEST_CASE("reports and reads of referrals are found by their case and person") {
  // referral_service.cpp accept_report
  const Json report = {{"partner", "jobbtorg-soder"}, {"partner_message_id", "pm-1"}, {"report_type", "START"},
                       {"reported_at", "2026-03-01"},  {"referral_id", "ref-1"},       {"client_id", "stockholm-ekb"},
                       {"case_id", "EB-2026-0042"},    {"person_id", kPerson},         {"event_ids", {"e-1"}},
                       {"event_types", {"referral.started"}}};
  auto e = index_entry("referral.report_received", report);
  CHECK(e.operation == "referral");
  CHECK(e.outcome == "report_received");
  CHECK(e.client == "stockholm-ekb");
  CHECK(e.partner == "jobbtorg-soder");
  CHECK(e.persons == std::vector<std::string>{kPerson});

  // report_endpoint.cpp: the partner's own client id is the actor.
  e = index_entry("referral.report_refused",
                  refused({{"remote_address", "x"}, {"partner", "jobbtorg-soder"}, {"client", "jobbtorg-soder-client"},
                           {"partner_message_id", "pm-2"}, {"referral_id", "ref-x"}},
                          404, "unknown_referral"));
  CHECK(e.outcome == "refused");
  CHECK(e.reason == "unknown_referral");
  CHECK(e.client == "jobbtorg-soder-client");
  CHECK(e.partner == "jobbtorg-soder");

  e = index_entry("referral.read", {{"client", "stockholm-ekb"}, {"referral_id", "ref-1"}, {"case_id", "EB-2026-0042"}});
  CHECK(e.outcome == "read");
  CHECK(e.case_id == "EB-2026-0042");
  e = index_entry("referral.read_refused", refused({{"referral_id", "ref-1"}, {"client", "other"}}, 404, "not_found"));
  CHECK(e.outcome == "refused");
  CHECK(e.reason == "not_found");
}

TEST_CASE("delivery attempts take their outcome from the attempt, dead letters their reason") {
  // delivery/delivery_engine.cpp conclude()
  Json body = {{"message_id", "m-1"},       {"destination", "jobbtorg-soder"}, {"message_type", "referral.requested"},
               {"ordering_key", "ref-1"},   {"client_id", "stockholm-ekb"},    {"case_id", "EB-2026-0042"},
               {"attempt", 1},              {"endpoint", "https://jobbtorg"},  {"http_status", 202},
               {"latency_ms", 40},          {"outcome", "delivered"},          {"error", ""}};
  auto e = index_entry("delivery.attempt", body);
  CHECK(e.operation == "delivery");
  CHECK(e.outcome == "delivered");
  CHECK(e.client == "stockholm-ekb");
  CHECK(e.partner == "jobbtorg-soder");
  CHECK(e.case_id == "EB-2026-0042");
  CHECK(e.persons.empty());

  body["outcome"] = "dead_lettered";
  body["http_status"] = 400;
  body["reason"] = "final_status";
  e = index_entry("delivery.dead_lettered", body);
  CHECK(e.outcome == "dead_lettered");
  CHECK(e.reason == "final_status");

  // replay(): the operator who replayed is the actor.
  e = index_entry("delivery.replayed", {{"message_id", "m-1"}, {"destination", "jobbtorg-soder"},
                                        {"client_id", "stockholm-ekb"}, {"case_id", "EB-2026-0042"},
                                        {"replayed_by", "drift"}, {"previous_attempts", 8}});
  CHECK(e.outcome == "replayed");
  CHECK(e.client == "drift");
}

TEST_CASE("consents are indexed by person, partner and case") {
  // consent_endpoint.cpp consent_view + client
  const Json view = {{"consent_id", "c-1"},   {"person_id", kPerson},     {"partner", "jobbtorg-soder"},
                     {"information_types", {"HANDLINGSPLAN"}},          {"given_at", "2026-01-01"},
                     {"expires_at", "2027-01-01"},                      {"document_reference", "doc"},
                     {"case_id", "EB-2026-0042"},                       {"recorded_at", "2026-01-01T10:00:00Z"},
                     {"state", "valid"},       {"client", "stockholm-ekb"}, {"remote_address", "x"}};
  auto e = index_entry("consent.recorded", view);
  CHECK(e.operation == "consent");
  CHECK(e.outcome == "recorded");
  CHECK(e.partner == "jobbtorg-soder");
  CHECK(e.case_id == "EB-2026-0042");
  CHECK(e.persons == std::vector<std::string>{kPerson});
  CHECK(index_entry("consent.withdrawn", view).outcome == "withdrawn");

  e = index_entry("consent.read", {{"client", "stockholm-ekb"}, {"person_id", kPerson}, {"consent_ids", {"c-1"}}});
  CHECK(e.outcome == "read");
  CHECK(e.persons == std::vector<std::string>{kPerson});

  e = index_entry("consent.refused",
                  refused({{"operation", "record"}, {"remote_address", "x"}, {"client", "stockholm-ekb"},
                           {"consent", {{"person_id", kPerson}, {"partner", "jobbtorg-soder"}, {"case_id", "EB-1"}}}},
                          400, "invalid_request"));
  CHECK(e.outcome == "refused");
  CHECK(e.reason == "invalid_request");
  CHECK(e.case_id == "EB-1");
  CHECK(e.partner == "jobbtorg-soder");
  CHECK(e.persons == std::vector<std::string>{kPerson});
}

TEST_CASE("a case registration is about everyone in its household, before and after the change") {
  // case_endpoint.cpp put(): case_view + client + previous
  const Json body = {{"case_id", "EB-2026-0042"},
                     {"status", "open"},
                     {"unit", "Farsta"},
                     {"household", {kPartner2, kPerson}},
                     {"opened_at", "x"},
                     {"updated_at", "y"},
                     {"client", "stockholm-ekb"},
                     {"remote_address", "x"},
                     {"previous", {{"case_id", "EB-2026-0042"}, {"household", {kPerson, "200001012384"}}}}};
  auto e = index_entry("case.updated", body);
  CHECK(e.operation == "case");
  CHECK(e.outcome == "updated");
  CHECK(e.case_id == "EB-2026-0042");
  CHECK(e.persons == std::vector<std::string>{kPartner2, kPerson, "200001012384"});
  CHECK(index_entry("case.registered", body).outcome == "registered");
  e = index_entry("case.read", {{"client", "stockholm-ekb"}, {"case_id", "EB-2026-0042"}});
  CHECK(e.outcome == "read");
  CHECK(e.persons.empty());
}

TEST_CASE("a partner's notification about a person is its own operation") {
  // notification/person_notification_service.cpp accept()
  const Json body = {{"partner", "forsakringskassan"},
                     {"partner_message_id", "pm-9"},
                     {"report_type", "BESLUT"},
                     {"reported_at", "2026-03-01"},
                     {"person", {{"id", kPerson}, {"kind", "personnummer"}}},
                     {"protected_identity", false},
                     {"outcome", "published"},
                     {"delivered_to", {{{"client", "stockholm-ekb"}, {"case_id", "EB-2026-0042"}}}},
                     {"event_ids", {"e-1"}},
                     {"event_types", {"benefit.decision_received"}}};
  auto e = index_entry("partner.notification_received", body);
  CHECK(e.operation == "notification");
  CHECK(e.outcome == "published");
  CHECK(e.partner == "forsakringskassan");
  CHECK(e.case_id == "EB-2026-0042");
  CHECK(e.persons == std::vector<std::string>{kPerson});

  e = index_entry("partner.notification_refused",
                  refused({{"partner", "forsakringskassan"}, {"client", "fk-client"}}, 409, "duplicate_in_flight"));
  CHECK(e.operation == "notification");
  CHECK(e.outcome == "refused");
  CHECK(e.reason == "duplicate_in_flight");
}

TEST_CASE("an återsökning is indexed by its person, caseworker, case and destination") {
  knutpunkt::Atersokning a;
  a.atersokning_id = "as-1";
  a.client_id = "stockholm-ekb";
  a.case_id = "EB-2026-0042";
  a.person_id = kPerson;
  a.id_kind = "personnummer";
  a.caseworker.id = "hw-anna";
  const Json payload = knutpunkt::to_json(a);
  // atersokning_service.cpp prepare()
  auto e = index_entry("atersokning.requested", {{"atersokning_id", "as-1"},
                                                 {"atersokning", payload},
                                                 {"destination", "forsakringskassan"},
                                                 {"message_id", "m-2"},
                                                 {"purpose_text", "x"},
                                                 {"legal_ground", "law"}});
  CHECK(e.operation == "atersokning");
  CHECK(e.outcome == "requested");
  CHECK(e.client == "stockholm-ekb");
  CHECK(e.caseworker == "hw-anna");
  CHECK(e.case_id == "EB-2026-0042");
  CHECK(e.partner == "forsakringskassan");
  CHECK(e.persons == std::vector<std::string>{kPerson});

  e = index_entry("atersokning.refused",
                  refused({{"remote_address", "x"}, {"client", "stockholm-ekb"}, {"atersokning", payload}}, 403,
                          "consent_expired"));
  CHECK(e.outcome == "refused");
  CHECK(e.reason == "consent_expired");
  CHECK(e.persons == std::vector<std::string>{kPerson});
}

TEST_CASE("operator actions on the manual queue name the operator as the actor") {
  // manual_handling_endpoint.cpp resolve(): to_json(ManualItem) + remote_address
  const Json body = {{"manual_item_id", "mi-1"}, {"kind", "referral"},       {"reference", "ref-1"},
                     {"client_id", "stockholm-ekb"}, {"case_id", "EB-2026-0042"}, {"destination", "jobbtorg-soder"},
                     {"reason", "protected_identity"}, {"created_at", "x"},        {"status", "resolved"},
                     {"resolved_at", "y"},            {"resolved_by", "drift"},   {"note", "ringde"},
                     {"remote_address", "x"}};
  auto e = index_entry("manual_handling.resolved", body);
  CHECK(e.operation == "manual_handling");
  CHECK(e.outcome == "resolved");
  CHECK(e.client == "drift");
  CHECK(e.case_id == "EB-2026-0042");
  CHECK(e.partner == "jobbtorg-soder");
  e = index_entry("manual_handling.read", {{"client", "drift"}, {"status", "open"}, {"items", 3}, {"remote_address", "x"}});
  CHECK(e.outcome == "read");
  CHECK(e.client == "drift");
  e = index_entry("manual_handling.resolve_refused", refused({{"manual_item_id", "mi-1"}}, 401, "unauthenticated"));
  CHECK(e.outcome == "refused");
}

TEST_CASE("sign-ins, feed reads and auditors' own searches name the user and the person searched for") {
  auto e = index_entry("auth.signed_in", {{"user", "revisor"}, {"roles", {"auditor"}}, {"expires_at", "x"}});
  CHECK(e.operation == "auth");
  CHECK(e.outcome == "signed_in");
  CHECK(e.client == "revisor");
  e = index_entry("auth.refused", refused({{"remote_address", "x"}, {"username", "revisor"}}, 401, "invalid_credentials"));
  CHECK(e.outcome == "refused");
  CHECK(e.reason == "invalid_credentials");
  CHECK(e.client == "revisor");

  e = index_entry("event_feed.read", {{"client", "stockholm-ekb"}, {"after", 0}, {"event_ids", {"e-1"}}});
  CHECK(e.operation == "event_feed");
  CHECK(e.outcome == "read");

  // http/audit_endpoint.cpp: audited_answer adds "auditor"; a search keeps its filters.
  e = index_entry("audit.searched", {{"filters", {{"person", kPerson}, {"case_id", "EB-2026-0042"}, {"client", "x"}}},
                                     {"results", 3},
                                     {"remote_address", "x"},
                                     {"auditor", "revisor"}});
  CHECK(e.operation == "audit");
  CHECK(e.outcome == "searched");
  CHECK(e.client == "revisor");
  CHECK(e.case_id == "EB-2026-0042");
  CHECK(e.persons == std::vector<std::string>{kPerson});
  // A timeline's "client" narrows the case; the auditor is still the actor.
  e = index_entry("audit.timeline_read", {{"case_id", "EB-2026-0042"}, {"client", "stockholm-ekb"}, {"results", 4},
                                          {"auditor", "revisor"}});
  CHECK(e.outcome == "timeline_read");
  CHECK(e.client == "revisor");
  CHECK(e.case_id == "EB-2026-0042");
  e = index_entry("audit.timeline_read",
                  {{"person", {{"id", kPerson}, {"kind", "personnummer"}}}, {"results", 4}, {"auditor", "revisor"}});
  CHECK(e.persons == std::vector<std::string>{kPerson});
}

TEST_CASE("a body that is not an object, or an unknown kind, gives what can be read and no error") {
  const auto e = index_entry("something", Json::parse("[1,2]"));
  CHECK(e == AuditIndexEntry{"something", "", "", "", "", "", "", {}});
  CHECK(index_entry("lookup", Json(nlohmann::json::value_t::discarded)).operation == "lookup");
}
