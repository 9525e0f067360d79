// The consent registry's API through the real gateway binary.
#include <catch2/catch.hpp>

#include "gateway_harness.h"
#include "relative_dates.h"

using namespace knutpunkt::testing;

namespace {

nlohmann::json consent_request() {
  return {{"person_id", "19121212-1212"},
          {"partner", "ssbtek"},
          {"information_types", {"FK", "CSN"}},
          {"given_at", date_from_today(-30)},
          {"expires_at", date_from_today(365)},
          {"document_reference", "DOC-2026-0042"},
          {"case_id", "EB-2026-000123"}};
}

}  // namespace

TEST_CASE("a consent is recorded, listed with its state, withdrawn once, and every step is audited") {
  GatewayHarness gw("consent_lifecycle");
  auto recorded = gw.post("/v1/consents", consent_request().dump(), bearer(kCaseSystemToken));
  INFO(recorded.body.dump());
  REQUIRE(recorded.status == 201);
  const std::string id = recorded.body["consent_id"];
  CHECK(recorded.body["state"] == "in_force");
  CHECK(recorded.body["person_id"] == "191212121212");

  auto listed = gw.post("/v1/consents/search", R"({"person_id": "191212121212"})", bearer(kCaseSystemToken));
  REQUIRE(listed.status == 200);
  REQUIRE(listed.body["consents"].size() == 1);
  CHECK(listed.body["consents"][0]["consent_id"] == id);

  // A client of another organisation neither sees nor withdraws it.
  auto other = gw.post("/v1/consents/search", R"({"person_id": "191212121212"})", bearer(kNeighbourCaseSystemToken));
  REQUIRE(other.status == 200);
  CHECK(other.body["consents"].empty());
  CHECK(gw.del("/v1/consents/" + id, bearer(kNeighbourCaseSystemToken)).status == 404);

  auto withdrawn = gw.del("/v1/consents/" + id, bearer(kCaseSystemToken));
  REQUIRE(withdrawn.status == 200);
  CHECK(withdrawn.body["state"] == "withdrawn");
  const std::string withdrawn_at = withdrawn.body["withdrawn_at"];
  auto again = gw.del("/v1/consents/" + id, bearer(kCaseSystemToken));
  CHECK(again.status == 200);
  CHECK(again.body["withdrawn_at"] == withdrawn_at);

  CHECK(count_kind(gw, "consent.recorded") == 1);
  CHECK(count_kind(gw, "consent.withdrawn") == 1);
  CHECK(count_kind(gw, "consent.read") == 2);
  CHECK(count_kind(gw, "consent.refused") == 1);
}

TEST_CASE("an invalid consent is refused with 400 naming every bad field, and audited") {
  GatewayHarness gw("consent_invalid");
  auto body = consent_request();
  body["person_id"] = "19121212-1213";
  body["partner"] = "no-such-partner";
  body["information_types"] = {"fk"};
  body["given_at"] = date_from_today(-10);
  body["expires_at"] = date_from_today(-40);  // before it was given
  body.erase("document_reference");
  auto refused = gw.post("/v1/consents", body.dump(), bearer(kCaseSystemToken));
  REQUIRE(refused.status == 400);
  std::set<std::string> names;
  for (const auto& p : refused.body["invalid-params"]) names.insert(p["name"].get<std::string>());
  CHECK(names == std::set<std::string>{"person_id", "partner", "information_types[0]", "expires_at", "document_reference"});
  CHECK(count_kind(gw, "consent.refused") == 1);
  CHECK(gw.post("/v1/consents", consent_request().dump(), {}).status == 401);
}
