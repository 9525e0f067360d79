// How the gateway talks to SSBTEK: one call per lookup by default (SSBTEK asks every source in
// parallel and answers each with data or an error), one call per source when configured, and what
// a whole-call failure means for each source.
#include "gateway_harness.h"

#include <catch2/catch.hpp>

#include <chrono>

using namespace knutpunkt::testing;

namespace {

std::int64_t hamta_calls(GatewayHarness& gw) {
  const auto stats = gw.simulator_stats();
  INFO(stats.dump());
  return stats["by_operation"].value("hamtaBastjanstInformation", std::int64_t{0});
}

}  // namespace

TEST_CASE("a lookup of seven sources asks SSBTEK once; configured per source, once per source") {
  SECTION("per lookup (the default)") {
    GatewayHarness gw("exchange_per_lookup");
    const auto before = hamta_calls(gw);
    auto reply = gw.lookup(full_lookup_request());
    INFO(reply.body.dump(2));
    REQUIRE(reply.status == 200);
    CHECK(reply.body["status"] == "complete");
    CHECK(hamta_calls(gw) - before == 1);
  }
  SECTION("per source") {
    HarnessOptions options;
    options.ssbtek_exchange = "per_source";
    GatewayHarness gw("exchange_per_source", options);
    const auto before = hamta_calls(gw);
    auto reply = gw.lookup(full_lookup_request());
    INFO(reply.body.dump(2));
    REQUIRE(reply.status == 200);
    CHECK(reply.body["status"] == "complete");
    CHECK(hamta_calls(gw) - before == static_cast<std::int64_t>(kAllSources.size()));
  }
}

TEST_CASE("in one call, a SOAP fault answers for every source, and a source's own error only for itself") {
  GatewayHarness gw("exchange_whole_call_fault");
  gw.inject("CSN", {{"mode", "soap_fault"}, {"code", "SSBT-042"}, {"message", "Tjänsten är tillfälligt otillgänglig"}});
  auto faulted = gw.lookup(full_lookup_request());
  INFO(faulted.body.dump(2));
  REQUIRE(faulted.status == 200);
  CHECK(faulted.body["status"] == "partial");
  for (const auto& source : kAllSources) {
    CHECK(faulted.body["sources"][source]["status"] == "error");
    CHECK(faulted.body["sources"][source]["code"] == "SSBT-042");
  }
  gw.clear_faults();

  gw.inject("AF", {{"mode", "error"}, {"code", "AF-503"}, {"message", "Bastjänsten svarar inte"}});
  auto own_error = gw.lookup(full_lookup_request());
  INFO(own_error.body.dump(2));
  REQUIRE(own_error.status == 200);
  CHECK(own_error.body["sources"]["AF"]["status"] == "error");
  CHECK(own_error.body["sources"]["AF"]["code"] == "AF-503");
  for (const auto& source : kAllSources) {
    if (source != "AF") CHECK(own_error.body["sources"][source]["status"] == "ok");
  }
}

TEST_CASE("in one call, a source SSBTEK gives up on is a timeout and the others answer") {
  HarnessOptions options;
  options.source_timeout_ms = 3000;
  GatewayHarness gw("exchange_ssbtek_timeout", options);
  // Slower than the simulator's own per-source deadline (2.5 s): SSBTEK answers FK with its error.
  gw.inject("FK", {{"mode", "none"}, {"latency_ms", 4000}});
  const auto started = std::chrono::steady_clock::now();
  auto reply = gw.lookup(full_lookup_request());
  const auto elapsed = std::chrono::steady_clock::now() - started;
  INFO(reply.body.dump(2));
  REQUIRE(reply.status == 200);
  CHECK(reply.body["status"] == "partial");
  CHECK(reply.body["sources"]["FK"]["status"] == "timeout");
  CHECK(reply.body["sources"]["FK"]["code"] == "TIMEOUT");
  for (const auto& source : kAllSources) {
    if (source != "FK") CHECK(reply.body["sources"][source]["status"] == "ok");
  }
  CHECK(elapsed < std::chrono::milliseconds{3800});  // generous: not a timing test
}

TEST_CASE("production-shaped replies answer every source ok; their deviations are in the answer, the audit record "
          "and /metrics") {
  GatewayHarness gw("exchange_deviations");
  auto reply = gw.lookup(full_lookup_request());
  INFO(reply.body.dump(2));
  REQUIRE(reply.status == 200);
  CHECK(reply.body["status"] == "complete");
  // The simulator's production replies leave out AF's echoed question (Fraga), which the
  // published schema requires.
  const auto& af = reply.body["sources"]["AF"];
  REQUIRE(af.contains("deviations"));
  bool missing_fraga = false;
  for (const auto& deviation : af["deviations"]) {
    CHECK(deviation.contains("kind"));
    CHECK(deviation.contains("path"));
    if (deviation["kind"] == "missing_element" || deviation["kind"] == "unexpected_element") missing_fraga = true;
  }
  CHECK(missing_fraga);
  CHECK(reply.body["sources"]["CSN"]["contract_version"] == "4.0");

  auto records = gw.audit_records_for(reply.body["lookup_id"]);
  REQUIRE(records.size() == 1);
  CHECK(records[0].body["sources"]["AF"]["deviations"] == af["deviations"]);

  auto metrics = gw.get_as_operator("/metrics");
  REQUIRE(metrics.status == 200);
  INFO(metrics.text);
  CHECK(metrics.text.find("knutpunkt_lookup_deviations_total{adapter=\"ssbtek\",source=\"AF\",kind=\"" +
                          af["deviations"][0]["kind"].get<std::string>() + "\"}") != std::string::npos);
  CHECK(metrics.text.find("knutpunkt_lookup_outcomes_total{adapter=\"ssbtek\",source=\"SKV\",outcome=\"ok\"} 1") !=
        std::string::npos);
}
