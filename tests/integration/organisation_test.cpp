// Who vouches for what: cases and consents are separate grants, and belong to the organisation of
// the client that registered them. Through the real gateway binary with the Arbetsförmedlingen
// (consent-based) simulator. Organisations in the harness: stockholm-socialtjanst (case-system),
// stockholm-jobbtorg (other-client, lookups only) and huddinge-socialtjanst (neighbour-case-system).
#include <catch2/catch.hpp>
#include <string>

#include "gateway_harness.h"
#include "relative_dates.h"

using namespace knutpunkt::testing;

namespace {

const std::string kPerson = "191212121212";

nlohmann::json af_consent(const std::string& case_id) {
  return {{"person_id", kPerson},
          {"partner", "arbetsformedlingen"},
          {"information_types", {"HANDLINGSPLAN", "INSKRIVNING"}},
          {"given_at", date_from_today(-1)},
          {"expires_at", date_from_today(365)},
          {"document_reference", "made-up"},
          {"case_id", case_id}};
}

nlohmann::json af_lookup(const std::string& case_id) {
  auto request = full_lookup_request("19121212-1212");
  request["case_id"] = case_id;
  request["purpose"] = "arbetsmarknadsinsats";
  request["sources"] = {"INSKRIVNING", "HANDLINGSPLAN"};
  return request;
}

nlohmann::json a_case() {
  return {{"status", "open"}, {"unit", "Jobbtorg Söderort"}, {"household", {"19121212-1212"}}};
}

std::string first_invalid_param(const HttpReply& reply) {
  if (!reply.body.contains("invalid-params") || reply.body["invalid-params"].empty()) return "";
  return reply.body["invalid-params"][0]["name"];
}

// A problem as the client sees it, without what differs between any two answers (the lookup id).
nlohmann::json problem_shape(const HttpReply& reply) {
  nlohmann::json shape = reply.body;
  shape.erase("lookup_id");
  shape["status_line"] = reply.status;
  return shape;
}

}  // namespace

TEST_CASE("Jobbtorg's token can neither register a case nor record a consent, so it cannot vouch for its own lookup") {
  GatewayHarness gw("org_jobbtorg_self_authorisation", af_fk());
  // What the probe did: a case naming social services' person, a consent with a made-up document,
  // then a lookup of AF's INSKRIVNING and HANDLINGSPLAN.
  auto registered = gw.put("/v1/cases/JT-2026-1", a_case().dump(), bearer(kOtherClientToken));
  INFO(registered.body.dump());
  REQUIRE(registered.status == 403);
  CHECK(registered.body["code"] == "operation_not_allowed");
  auto consent = gw.post("/v1/consents", af_consent("JT-2026-1").dump(), bearer(kOtherClientToken));
  REQUIRE(consent.status == 403);
  CHECK(consent.body["code"] == "operation_not_allowed");
  CHECK(gw.get_with("/v1/cases/" + std::string(kStandingCase), bearer(kOtherClientToken)).status == 403);
  CHECK(gw.post("/v1/consents/search", nlohmann::json{{"person_id", kPerson}}.dump(), bearer(kOtherClientToken)).status == 403);

  int refused = 0;
  for (const auto& r : gw.audit_records()) {
    if ((r.kind == "case.refused" || r.kind == "consent.refused") && r.body["client"] == "other-client") {
      ++refused;
      CHECK(r.body["code"] == "operation_not_allowed");
    }
  }
  CHECK(refused == 4);
}

TEST_CASE(
    "a case and consent of another organisation let no one else look up; the case system's own flow still works") {
  GatewayHarness gw("org_consent_scope", af_fk());
  // Huddinge registers its own case with the person and records a consent: both its own.
  REQUIRE(gw.put("/v1/cases/EB-HUD-1", a_case().dump(), bearer(kNeighbourCaseSystemToken)).status == 201);
  auto recorded = gw.post("/v1/consents", af_consent("EB-HUD-1").dump(), bearer(kNeighbourCaseSystemToken));
  REQUIRE(recorded.status == 201);
  CHECK(recorded.body["held_by"] == "huddinge-socialtjanst");

  // Stockholm's case system has the person in its own case, but Huddinge's consent is not its.
  auto without_consent = gw.lookup_at("arbetsformedlingen", af_lookup(kStandingCase));
  REQUIRE(without_consent.status == 403);
  CHECK(without_consent.body["code"] == "no_consent");
  // Huddinge's case is no case here: answered as one never registered.
  auto borrowed_case = gw.lookup_at("arbetsformedlingen", af_lookup("EB-HUD-1"));
  auto unknown_case = gw.lookup_at("arbetsformedlingen", af_lookup("EB-NEVER-REGISTERED"));
  REQUIRE(borrowed_case.status == 403);
  CHECK(borrowed_case.body["code"] == "no_open_case");
  CHECK(problem_shape(borrowed_case) == problem_shape(unknown_case));

  // Huddinge's own lookup rests on its own case and consent.
  auto huddinge = gw.lookup_at("arbetsformedlingen", af_lookup("EB-HUD-1"), kNeighbourCaseSystemToken);
  INFO(huddinge.body.dump());
  CHECK(huddinge.status == 200);

  // Stockholm records its own consent: its lookup goes through.
  REQUIRE(gw.post("/v1/consents", af_consent(kStandingCase).dump(), bearer(kCaseSystemToken)).status == 201);
  auto own = gw.lookup_at("arbetsformedlingen", af_lookup(kStandingCase));
  INFO(own.body.dump());
  CHECK(own.status == 200);
}

TEST_CASE("another organisation's case and consent answer exactly as ones that do not exist, and stay unchanged") {
  GatewayHarness gw("org_not_found", af_fk());
  auto consent = gw.post("/v1/consents", af_consent(kStandingCase).dump(), bearer(kCaseSystemToken));
  REQUIRE(consent.status == 201);
  const std::string consent_id = consent.body["consent_id"];

  auto other_case = gw.get_with("/v1/cases/" + std::string(kStandingCase), bearer(kNeighbourCaseSystemToken));
  auto no_case = gw.get_with("/v1/cases/EB-NEVER-REGISTERED", bearer(kNeighbourCaseSystemToken));
  CHECK(other_case.status == 404);
  CHECK(other_case.body == no_case.body);

  auto other_consent = gw.del("/v1/consents/" + consent_id, bearer(kNeighbourCaseSystemToken));
  auto no_consent = gw.del("/v1/consents/00000000-0000-4000-8000-000000000000", bearer(kNeighbourCaseSystemToken));
  CHECK(other_consent.status == 404);
  CHECK(other_consent.body == no_consent.body);
  auto listed = gw.post("/v1/consents/search", nlohmann::json{{"person_id", kPerson}}.dump(), bearer(kNeighbourCaseSystemToken));
  REQUIRE(listed.status == 200);
  CHECK(listed.body["consents"].empty());

  // The same case id in Huddinge is Huddinge's own case; Stockholm's is untouched.
  REQUIRE(
      gw.put("/v1/cases/" + std::string(kStandingCase), a_case().dump(), bearer(kNeighbourCaseSystemToken)).status ==
      201);
  auto stockholm = gw.get_with("/v1/cases/" + std::string(kStandingCase), bearer(kCaseSystemToken));
  REQUIRE(stockholm.status == 200);
  CHECK(stockholm.body["unit"] == "Enskede-Årsta-Vantör");
  CHECK(stockholm.body["household"].size() > 1);
  auto still = gw.post("/v1/consents/search", nlohmann::json{{"person_id", kPerson}}.dump(), bearer(kCaseSystemToken));
  REQUIRE(still.status == 200);
  REQUIRE(still.body["consents"].size() == 1);
  CHECK(still.body["consents"][0]["state"] == "in_force");
}

TEST_CASE("a consent naming another organisation as holder of the signed document is refused naming held_by") {
  GatewayHarness gw("org_consent_held_by", af_fk());
  auto body = af_consent(kStandingCase);
  body["held_by"] = "huddinge-socialtjanst";
  auto refused = gw.post("/v1/consents", body.dump(), bearer(kCaseSystemToken));
  REQUIRE(refused.status == 400);
  CHECK(first_invalid_param(refused) == "held_by");
  CHECK(refused.body["invalid-params"][0]["code"] == "not_own_organisation");

  body["held_by"] = "stockholm-socialtjanst";
  auto own = gw.post("/v1/consents", body.dump(), bearer(kCaseSystemToken));
  INFO(own.body.dump());
  REQUIRE(own.status == 201);
  CHECK(own.body["held_by"] == "stockholm-socialtjanst");
}

TEST_CASE("NUL and other control characters in a personnummer or an id are refused with 400 naming the field") {
  GatewayHarness gw("org_control_characters", af_fk());
  // A NUL where the separator goes was read as "no separator".
  auto nul_household = gw.put("/v1/cases/EB-NUL-1",
                              nlohmann::json{{"status", "open"},
                                             {"unit", "Enskede-Årsta-Vantör"},
                                             {"household",
                                              {std::string("19121212\0"
                                                           "1212",
                                                           13)}}}
                                  .dump(),
                              bearer(kCaseSystemToken));
  REQUIRE(nul_household.status == 400);
  CHECK(first_invalid_param(nul_household) == "household[0]");
  CHECK(nul_household.body["invalid-params"][0]["code"] == "control_characters");

  auto nul_search = gw.post("/v1/consents/search", R"({"person_id": "19121212\u00001212"})", bearer(kCaseSystemToken));
  REQUIRE(nul_search.status == 400);
  CHECK(first_invalid_param(nul_search) == "person_id");
  auto newline_search = gw.post("/v1/consents/search", R"({"person_id": "19121212-1212\n"})", bearer(kCaseSystemToken));
  CHECK(newline_search.status == 400);
  CHECK(first_invalid_param(newline_search) == "person_id");

  // C1 (here NEL, U+0085) in an id a client chooses.
  auto c1_case = af_consent("EB-2026\u0085-1");
  auto refused = gw.post("/v1/consents", c1_case.dump(), bearer(kCaseSystemToken));
  REQUIRE(refused.status == 400);
  CHECK(first_invalid_param(refused) == "case_id");
  CHECK(refused.body["invalid-params"][0]["code"] == "control_characters");
  auto c1_lookup = full_lookup_request();
  c1_lookup["case_id"] = "EB-2026\u0085-000123";
  auto lookup = gw.lookup(c1_lookup);
  REQUIRE(lookup.status == 400);
  CHECK(first_invalid_param(lookup) == "case_id");
}
