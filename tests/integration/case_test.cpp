// Case registration (the scope lookups will be held to) through the real gateway binary.
#include <catch2/catch.hpp>

#include "gateway_harness.h"

using namespace knutpunkt::testing;

namespace {

HttpReply put_case(GatewayHarness& gw, const std::string& id, const nlohmann::json& body, const std::string& token) {
  return gw.put("/v1/cases/" + id, body.dump(), bearer(token));
}

}  // namespace

TEST_CASE("a case is registered with its household, updated, closed, read back, and each step is audited") {
  GatewayHarness gw("case_lifecycle");
  const nlohmann::json open = {{"status", "open"}, {"unit", "Skärholmen ekonomiskt bistånd"},
                               {"household", {"19121212-1212", "197010632391"}}};
  auto created = put_case(gw, "EB-2026-000777", open, kCaseSystemToken);
  INFO(created.body.dump());
  REQUIRE(created.status == 201);
  CHECK(created.body["household"] == nlohmann::json({"191212121212", "197010632391"}));
  const std::string opened_at = created.body["opened_at"];

  auto closed_body = open;
  closed_body["status"] = "closed";
  auto closed = put_case(gw, "EB-2026-000777", closed_body, kCaseSystemToken);
  REQUIRE(closed.status == 200);
  CHECK(closed.body["status"] == "closed");
  CHECK(closed.body["opened_at"] == opened_at);
  CHECK(closed.body.contains("closed_at"));

  auto read = gw.get_with("/v1/cases/EB-2026-000777", bearer(kCaseSystemToken));
  REQUIRE(read.status == 200);
  CHECK(read.body["status"] == "closed");
  // Cases belong to their organisation: a client of another one does not see this one.
  CHECK(gw.get_with("/v1/cases/EB-2026-000777", bearer(kNeighbourCaseSystemToken)).status == 404);

  auto records = gw.audit_records();
  const auto count = [&](const std::string& kind) {
    return std::count_if(records.begin(), records.end(), [&](const auto& r) { return r.kind == kind; });
  };
  CHECK(count("case.registered") == 2);  // the harness's standing case, and this one
  CHECK(count("case.updated") == 1);
  CHECK(count("case.read") == 1);
  CHECK(count("case.refused") == 1);
}

TEST_CASE("a case with an invalid household is refused with 400 naming each member") {
  GatewayHarness gw("case_invalid");
  auto refused = put_case(gw, "EB-1", {{"status", "pending"}, {"unit", "X"}, {"household", {"19121212-1213", 42}}},
                          kCaseSystemToken);
  REQUIRE(refused.status == 400);
  std::set<std::string> names;
  for (const auto& p : refused.body["invalid-params"]) names.insert(p["name"].get<std::string>());
  CHECK(names == std::set<std::string>{"status", "household[0]", "household[1]"});
  CHECK(put_case(gw, "EB-1", {{"status", "open"}, {"unit", "X"}, {"household", nlohmann::json::array()}}, kCaseSystemToken)
            .status == 400);
}
