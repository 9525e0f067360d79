// How the gateway talks to SSBTEK: one call per lookup by default (SSBTEK asks every source in
// parallel and answers each with data or an error), one call per source when configured, and what
// a whole-call failure means for each source.
#include "gateway_harness.h"

#include <catch2/catch.hpp>

using namespace knutpunkt::testing;

namespace {

const std::vector<std::string> kAllSources = {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"};

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
