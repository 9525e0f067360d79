// End-to-end lookups through the real gateway binary against the real SSBTEK simulator.
#include "gateway_harness.h"

#include <catch2/catch.hpp>
#include <fstream>

#include <chrono>
#include <thread>

using namespace knutpunkt::testing;
using Clock = std::chrono::steady_clock;

namespace {

void require_audited(GatewayHarness& gw, const std::string& lookup_id, const std::string& kind) {
  auto records = gw.audit_records_for(lookup_id);
  REQUIRE(records.size() == 1);
  CHECK(records[0].kind == kind);
}

void require_problem_names(const HttpReply& reply, const std::string& field, const std::string& code) {
  CHECK(reply.content_type.starts_with("application/problem+json"));
  REQUIRE(reply.body.contains("invalid-params"));
  bool found = false;
  for (const auto& p : reply.body["invalid-params"]) {
    if (p["name"] == field && p["code"] == code) found = true;
  }
  INFO(reply.body.dump());
  CHECK(found);
}

}  // namespace

TEST_CASE("a full lookup over all sources answers every source with normalised case events, audited") {
  GatewayHarness gw("full_lookup");
  auto reply = gw.lookup(full_lookup_request());
  INFO(reply.body.dump(2));
  REQUIRE(reply.status == 200);
  CHECK(reply.body["status"] == "complete");
  CHECK(reply.body["person"]["id"] == "191212121212");
  CHECK(reply.body["person"]["kind"] == "personnummer");
  std::size_t events = 0;
  for (const auto& source : kAllSources) {
    const auto& s = reply.body["sources"][source];
    CHECK(s["status"] == "ok");
    for (const auto& event : s["events"]) {
      ++events;
      CHECK(event["schema_version"] == 1);
      CHECK(event["case_id"] == "EB-2026-000123");
      CHECK(event["subject"]["person_id"] == "191212121212");
      CHECK(event["correlation_id"] == reply.body["lookup_id"]);
      CHECK(event["source_partner"] == "ssbtek/" + source);
      for (const auto& [key, value] : event["facts"].items()) {
        // Amounts are integer öre, never floating point.
        if (key.ends_with("_ore")) CHECK(value.is_number_integer());
        CHECK_FALSE(value.is_number_float());
      }
    }
  }
  CHECK(events >= kAllSources.size());

  auto records = gw.audit_records_for(reply.body["lookup_id"]);
  REQUIRE(records.size() == 1);
  const auto& body = records[0].body;
  CHECK(records[0].kind == "lookup");
  CHECK(body["client"] == "case-system");
  CHECK(body["caseworker"]["id"] == "hand-0042");
  CHECK(body["case_id"] == "EB-2026-000123");
  CHECK(body["purpose"] == "ekonomiskt_bistand");
  CHECK(body["legal_basis"] == "11 kap. 11 § SoL");
  CHECK(body["person"]["id"] == "191212121212");
  CHECK(body["sources_asked"].size() == kAllSources.size());
  CHECK(body["sources"]["FK"]["status"] == "ok");
  CHECK(records[0].seq == reply.body["audit"]["seq"]);
  // json == string, not the other way round: clang finds no operator for a string on the left.
  CHECK(reply.body["audit"]["hash"] == records[0].hash);
}

TEST_CASE("a source slow past its deadline is reported as timeout while the others answer") {
  HarnessOptions options;
  options.source_timeout_ms = 3000;
  options.source_timeouts_ms["FK"] = 800;
  options.ssbtek_exchange = "per_source";  // each source under its own deadline, in a call of its own
  GatewayHarness gw("slow_source", options);
  gw.inject("FK", {{"mode", "none"}, {"latency_ms", 4000}});
  const auto started = Clock::now();
  auto reply = gw.lookup(full_lookup_request());
  const auto elapsed = Clock::now() - started;
  INFO(reply.body.dump(2));
  REQUIRE(reply.status == 200);
  CHECK(reply.body["status"] == "partial");
  CHECK(reply.body["sources"]["FK"]["status"] == "timeout");
  for (const auto& source : kAllSources) {
    if (source != "FK") CHECK(reply.body["sources"][source]["status"] == "ok");
  }
  // The answer did not wait for the slow source (generous bound: this is not a timing test).
  CHECK(elapsed < std::chrono::milliseconds{3500});
  auto records = gw.audit_records_for(reply.body["lookup_id"]);
  REQUIRE(records.size() == 1);
  CHECK(records[0].body["sources"]["FK"]["status"] == "timeout");
}

TEST_CASE("a source answering with a SOAP fault is reported as error with the partner's code") {
  // One call per source: the fault answers only CSN's call (with one call per lookup it answers
  // the whole call; see lookup_exchange_test.cpp).
  HarnessOptions options;
  options.ssbtek_exchange = "per_source";
  GatewayHarness gw("soap_fault", options);
  gw.inject("CSN", {{"mode", "soap_fault"}, {"code", "SSBT-042"}, {"message", "Tjänsten är tillfälligt otillgänglig"}});
  auto reply = gw.lookup(full_lookup_request());
  INFO(reply.body.dump(2));
  REQUIRE(reply.status == 200);
  CHECK(reply.body["status"] == "partial");
  CHECK(reply.body["sources"]["CSN"]["status"] == "error");
  CHECK(reply.body["sources"]["CSN"]["code"] == "SSBT-042");
  CHECK(reply.body["sources"]["CSN"]["message"] == "Tjänsten är tillfälligt otillgänglig");
  CHECK(reply.body["sources"]["AF"]["status"] == "ok");
  auto records = gw.audit_records_for(reply.body["lookup_id"]);
  REQUIRE(records.size() == 1);
  CHECK(records[0].body["sources"]["CSN"]["code"] == "SSBT-042");
}

TEST_CASE("a source's own error element, dropped connections and malformed XML are reported per source") {
  HarnessOptions options;
  options.ssbtek_exchange = "per_source";  // transport faults hit only the faulty source's own call
  GatewayHarness gw("source_faults", options);
  gw.inject("AF", {{"mode", "error"}, {"code", "AF-503"}, {"message", "Bastjänsten svarar inte"}});
  gw.inject("SKV", {{"mode", "drop"}});
  gw.inject("SO", {{"mode", "malformed"}});
  gw.inject("TNS", {{"mode", "http_500"}});
  auto reply = gw.lookup(full_lookup_request());
  INFO(reply.body.dump(2));
  REQUIRE(reply.status == 200);
  CHECK(reply.body["sources"]["AF"]["status"] == "error");
  CHECK(reply.body["sources"]["AF"]["code"] == "AF-503");
  CHECK(reply.body["sources"]["SKV"]["status"] == "unavailable");
  CHECK(reply.body["sources"]["SO"]["status"] == "error");
  CHECK(reply.body["sources"]["SO"]["code"] == "malformed_reply");
  CHECK(reply.body["sources"]["TNS"]["status"] == "unavailable");
  CHECK(reply.body["sources"]["FK"]["status"] == "ok");
  CHECK(reply.body["sources"]["MIV"]["status"] == "ok");
  require_audited(gw, reply.body["lookup_id"], "lookup");
}

TEST_CASE("with the simulator down every source is unavailable, the answer says so, and it is audited") {
  HarnessOptions options;
  options.readiness_refresh_ms = 200;  // readiness follows the partner within a few of these
  GatewayHarness gw("simulator_down", options);
  gw.stop_simulator();
  auto reply = gw.lookup(full_lookup_request());
  INFO(reply.body.dump(2));
  REQUIRE(reply.status == 200);
  CHECK(reply.body["status"] == "partial");
  for (const auto& source : kAllSources) {
    CHECK(reply.body["sources"][source]["status"] == "unavailable");
    CHECK(reply.body["sources"][source]["code"] == "connect_failed");
  }
  auto records = gw.audit_records_for(reply.body["lookup_id"]);
  REQUIRE(records.size() == 1);
  CHECK(records[0].body["outcome"] == "partial");
  CHECK(records[0].body["sources"]["MIV"]["status"] == "unavailable");

  // /readyz answers from the background checks: the first after the simulator stopped says so.
  auto ready = gw.get_as_operator("/readyz");
  for (int k = 0; k < 50 && ready.status == 200; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    ready = gw.get_as_operator("/readyz");
  }
  CHECK(ready.status == 503);
  CHECK(ready.body["checks"]["ssbtek"]["ready"] == false);
  CHECK(ready.body["checks"]["store"]["ready"] == true);
}

TEST_CASE("an invalid personnummer is refused with 400 naming the field, and the refusal is audited") {
  GatewayHarness gw("invalid_person");
  auto request = full_lookup_request("19121212-1213");  // wrong check digit
  auto reply = gw.lookup(request);
  REQUIRE(reply.status == 400);
  require_problem_names(reply, "person", "bad_check_digit");
  require_audited(gw, reply.body["lookup_id"], "lookup.refused");
  auto record = gw.audit_records_for(reply.body["lookup_id"]).at(0);
  CHECK(record.body["status"] == 400);
  CHECK(record.body["person_as_given"] == "19121212-1213");

  SECTION("several invalid fields are all named") {
    auto bad = full_lookup_request("19990230-1234");
    bad.erase("case_id");
    bad["period"]["to"] = "2026-07-01";
    bad["sources"] = {"AF", "XX", "AF"};
    auto r = gw.lookup(bad);
    REQUIRE(r.status == 400);
    require_problem_names(r, "person", "bad_date");
    require_problem_names(r, "case_id", "missing");
    require_problem_names(r, "sources[1]", "unknown_source");
    require_problem_names(r, "sources[2]", "duplicate_source");
    CHECK(r.body["invalid-params"].size() == 5);  // period.to before from as well
    require_audited(gw, r.body["lookup_id"], "lookup.refused");
  }
  SECTION("a body that is not JSON is refused, not crashed on") {
    httplib::Headers headers{{"Authorization", std::string("Bearer ") + kCaseSystemToken}};
    auto r = gw.post("/v1/lookups/ssbtek", "{\"person\": ", headers);
    CHECK(r.status == 400);
    CHECK(r.body["code"] == "invalid_json");
    require_audited(gw, r.body["lookup_id"], "lookup.refused");
    auto r2 = gw.post("/v1/lookups/ssbtek", "person=1", headers, "application/x-www-form-urlencoded");
    CHECK(r2.status == 415);
  }
  SECTION("a body over the configured size is refused with 413 and audited") {
    auto big = full_lookup_request();
    big["caseworker"]["unit"] = std::string(20000, 'x');
    auto r = gw.lookup(big);
    CHECK(r.status == 413);
    CHECK(r.body["code"] == "body_too_large");
    require_audited(gw, r.body["lookup_id"], "lookup.refused");
  }
}

TEST_CASE("a request without a valid token is refused with 401 and audited, counted for its address") {
  GatewayHarness gw("no_token");
  auto reply = gw.lookup(full_lookup_request(), "");
  REQUIRE(reply.status == 401);
  CHECK(reply.body["code"] == "unauthenticated");
  auto wrong = gw.lookup(full_lookup_request(), "not-a-known-token");
  CHECK(wrong.status == 401);
  // Anyone can send these: they are one record per address and minute, appended when the minute
  // closes or, as here, at a clean stop, not one record each.
  gw.stop_gateway();
  std::uint64_t counted = 0;
  for (const auto& r : gw.audit_records()) {
    CHECK(r.kind != "lookup.refused");
    if (r.kind != "http.unauthenticated_refusals") continue;
    CHECK(r.body.dump().find("19121212") == std::string::npos);  // the body of an unauthenticated request is not read
    for (const auto& refused : r.body["refused"]) {
      if (refused["route"] == "POST /v1/lookups/{adapter}" && refused["status"] == 401) {
        counted += refused["count"].get<std::uint64_t>();
      }
    }
  }
  CHECK(counted == 2);
}

TEST_CASE("a purpose the client may not use is refused with 403 and audited") {
  GatewayHarness gw("purpose_not_allowed");
  auto request = full_lookup_request();
  request["purpose"] = "arbetsmarknadsinsats";  // the client's, but SSBTEK may not be asked under it
  auto reply = gw.lookup(request);
  REQUIRE(reply.status == 403);
  CHECK(reply.body["code"] == "purpose_not_allowed");
  require_audited(gw, reply.body["lookup_id"], "lookup.refused");
  auto other = gw.lookup(full_lookup_request(), kOtherClientToken);  // the other client may not use ekonomiskt_bistand
  CHECK(other.status == 403);
  auto record = gw.audit_records_for(other.body["lookup_id"]).at(0);
  CHECK(record.body["client"] == "other-client");
  CHECK(record.body["purpose"] == "ekonomiskt_bistand");
}

TEST_CASE("a protected person's events are all marked protected") {
  GatewayHarness gw("protected_person");
  auto reply = gw.lookup(full_lookup_request("19811218-9876"));
  INFO(reply.body.dump(2));
  REQUIRE(reply.status == 200);
  CHECK(reply.body["person"]["protected_identity"] == true);
  for (const auto& [source, s] : reply.body["sources"].items()) {
    for (const auto& event : s["events"]) CHECK(event["protected_identity"] == true);
  }
  auto record = gw.audit_records_for(reply.body["lookup_id"]).at(0);
  CHECK(record.body["protected_identity"] == true);
}

TEST_CASE("a person once flagged protected stays protected, also for sources that do not flag") {
  GatewayHarness gw("protected_remembered");
  auto tns_only = [&] {
    auto request = full_lookup_request("19811218-9876");
    request["sources"] = {"TNS"};
    auto reply = gw.lookup(request);
    REQUIRE(reply.status == 200);
    return reply;
  };
  // TNS does not flag protected identity; before anyone flagged the person, nothing marks it.
  auto before = tns_only();
  CHECK(before.body["person"]["protected_identity"] == false);
  // A full lookup: FK, CSN and AF flag the person, and the gateway remembers.
  auto full = gw.lookup(full_lookup_request("19811218-9876"));
  REQUIRE(full.body["person"]["protected_identity"] == true);
  CHECK(gw.audit_records_for(full.body["lookup_id"]).at(0).body["protected_identity_remembered"] == true);
  // Now TNS alone is protected too, from memory.
  auto after = tns_only();
  CHECK(after.body["person"]["protected_identity"] == true);
  for (const auto& event : after.body["sources"]["TNS"]["events"]) CHECK(event["protected_identity"] == true);
  // Another person is not affected.
  auto other = full_lookup_request("19121212-1212");
  other["sources"] = {"TNS"};
  CHECK(gw.lookup(other).body["person"]["protected_identity"] == false);
}

TEST_CASE("a samordningsnummer, a person with no data and Swedish characters all come through intact") {
  GatewayHarness gw("special_persons");
  auto samordning = gw.lookup(full_lookup_request("701063-2391"));
  REQUIRE(samordning.status == 200);
  CHECK(samordning.body["person"]["id"] == "197010632391");
  CHECK(samordning.body["person"]["kind"] == "samordningsnummer");
  CHECK(samordning.body["status"] == "complete");

  auto nodata = gw.lookup(full_lookup_request("196305024579"));
  REQUIRE(nodata.status == 200);
  CHECK(nodata.body["status"] == "complete");

  auto swedish = gw.lookup(full_lookup_request("198507092388"));
  REQUIRE(swedish.status == 200);
  CHECK(swedish.body["status"] == "complete");
  // Names are not facts a lookup releases: mappings never copy them into case events.
  CHECK(swedish.body.dump().find("Öberg") == std::string::npos);
  CHECK_FALSE(swedish.body["sources"]["FK"]["events"].empty());
}

TEST_CASE("SKV's taxation per taxeringsår and CSN's kommunfraga 3.0 come through from production-shaped replies") {
  // The simulator answers as SSBTEK's production service does (its default reply mode):
  // Skatteverket's own document as CDATA, CSN in 3.0 for the person it has not moved to 4.0.
  GatewayHarness gw("skv_and_csn_versions");
  auto full = gw.lookup(full_lookup_request());
  INFO(full.body.dump(2));
  REQUIRE(full.status == 200);
  const auto& skv = full.body["sources"]["SKV"];
  CHECK(skv["status"] == "ok");
  CHECK(skv["contract_version"] == "1.0");
  REQUIRE(skv["events"].size() == 2);
  const auto& year = skv["events"][0];
  CHECK(year["type"] == "taxation.income");
  CHECK(year["facts"]["assessment_year"] == 2025);
  CHECK(year["facts"]["capital_income_ore"] == 145000);
  CHECK(year["facts"]["capital_surplus_ore"] == 120000);
  CHECK(year["facts"]["earned_income_ore"] == 21430000);
  CHECK(full.body["sources"]["CSN"]["contract_version"] == "4.0");

  REQUIRE(gw.register_case("EB-2026-000777", {"199403152383"}).status < 300);
  auto request = full_lookup_request("19940315-2383");
  request["case_id"] = "EB-2026-000777";
  request["sources"] = {"CSN"};
  auto v3 = gw.lookup(request);
  INFO(v3.body.dump(2));
  REQUIRE(v3.status == 200);
  const auto& csn = v3.body["sources"]["CSN"];
  CHECK(csn["status"] == "ok");
  CHECK(csn["contract_version"] == "3.0");
  REQUIRE(csn["events"].size() == 2);
  CHECK(csn["events"][0]["type"] == "study_aid.payment");
  CHECK(csn["events"][0]["facts"]["paid_on"] == "2026-08-25");
  CHECK(csn["events"][0]["facts"]["amount_ore"] == 2269600);
}

TEST_CASE("health, readiness and unknown routes answer as documented") {
  GatewayHarness gw("routes");
  CHECK(gw.get("/healthz").status == 200);
  auto ready = gw.get_as_operator("/readyz");
  INFO(ready.body.dump());
  CHECK(ready.status == 200);
  CHECK(ready.body["status"] == "ready");
  auto missing = gw.get("/v1/nothing");
  CHECK(missing.status == 404);
  CHECK(missing.content_type.starts_with("application/problem+json"));
  auto wrong_method = gw.get("/v1/lookups/ssbtek");
  CHECK(wrong_method.status == 405);
  auto unknown_adapter = gw.post("/v1/lookups/nope", full_lookup_request().dump(),
                                 {{"Authorization", std::string("Bearer ") + kCaseSystemToken}});
  CHECK(unknown_adapter.status == 404);
}

TEST_CASE("knutpunkt audit verify proves the chain intact and names a tampered record") {
  GatewayHarness gw("audit_verify");
  for (int i = 0; i < 3; ++i) REQUIRE(gw.lookup(full_lookup_request()).status == 200);
  REQUIRE(gw.lookup(full_lookup_request(), "").status == 401);
  gw.stop_gateway();

  std::string output;
  int code = run_command({gateway_binary().string(), "audit", "verify", "--db", gw.db_path().string()}, output);
  INFO(output);
  CHECK(code == 0);
  auto report = nlohmann::json::parse(output, nullptr, false);
  CHECK(report["intact"] == true);
  CHECK(report["records"] == 5);  // the standing case's registration, three lookups, the 401 counted for its address

  // Change record 2's body behind the gateway's back, as someone with file access would: the
  // append-only triggers are no obstacle to them, which is why the chain exists.
  std::string sql_output;
  int sql = run_command({"/usr/bin/sqlite3", gw.db_path().string(),
                         "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET body = replace(body, 'hand-0042', 'hand-0043') WHERE seq = 2;"},
                        sql_output);
  REQUIRE(sql == 0);
  output.clear();
  code = run_command({gateway_binary().string(), "audit", "verify", "--db", gw.db_path().string()}, output);
  INFO(output);
  CHECK(code == 1);
  report = nlohmann::json::parse(output, nullptr, false);
  CHECK(report["intact"] == false);
  CHECK(report["first_problem"]["seq"] == 2);
  CHECK(report["first_problem"]["problem"] == "changed");
}

TEST_CASE("when the audit record cannot be stored the client gets 503 and no data") {
  GatewayHarness gw("audit_unavailable");
  REQUIRE(gw.lookup(full_lookup_request()).status == 200);
  // Make every further audit insert fail, as a full disk or a broken store would.
  std::string sql_output;
  REQUIRE(run_command({"/usr/bin/sqlite3", gw.db_path().string(),
                       "CREATE TRIGGER audit_log_broken BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END;"},
                      sql_output) == 0);
  auto reply = gw.lookup(full_lookup_request());
  INFO(reply.body.dump(2));
  CHECK(reply.status == 503);
  CHECK(reply.body["code"] == "audit_unavailable");
  CHECK_FALSE(reply.body.contains("sources"));
  CHECK(reply.body.dump().find("191212121212") == std::string::npos);
  // A refusal of an unknown caller is counted for its address and appended when its minute closes
  // (here: at the clean stop), not one record each, so it is answered at once. That the aggregate
  // could not be appended is then an error in the log, by count only.
  auto refused = gw.lookup(full_lookup_request(), "");
  CHECK(refused.status == 401);
  gw.stop_gateway();
  CHECK(gw.audit_records().size() == 2);  // the standing case's registration and the first lookup
  std::ifstream log_file(gw.gateway_log());
  std::string unaudited;
  for (std::string line; std::getline(log_file, line);) {
    if (line.find("\"event\":\"http.unauthenticated_refusals_unaudited\"") != std::string::npos) unaudited = line;
  }
  INFO(unaudited);
  CHECK(nlohmann::json::parse(unaudited, nullptr, false).value("refusals", 0) == 1);
  CHECK(unaudited.find("127.0.0.1") == std::string::npos);  // the log counts; it does not say from where
}
