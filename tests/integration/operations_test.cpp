// What operators scrape and probe, through the real binary: requests counted in /metrics under
// their route patterns, lookup outcomes per adapter and source, and /readyz answered from the
// background checks without reaching a partner.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "gateway_harness.h"

using namespace knutpunkt::testing;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

int readiness_pings(GatewayHarness& gw) {
  return gw.simulator_stats()["by_operation"].value("testaBastjanstInformation", 0);
}

}  // namespace

TEST_CASE("requests are counted in /metrics under their route patterns and statuses, never their paths") {
  GatewayHarness gw("ops_request_metrics");  // it registers the standing case: one PUT
  const httplib::Headers case_system = {{"Authorization", std::string("Bearer ") + kCaseSystemToken}};
  for (int k = 0; k < 3; ++k)
    REQUIRE(gw.get_with(std::string("/v1/cases/") + kStandingCase, case_system).status == 200);
  REQUIRE(gw.get(std::string("/v1/cases/") + kStandingCase).status == 401);
  REQUIRE(gw.get("/v1/nothing/EB-2026-000999").status == 404);
  REQUIRE(gw.lookup(full_lookup_request()).status == 200);

  const auto metrics = gw.get_as_operator("/metrics");
  REQUIRE(metrics.status == 200);
  const std::string& text = metrics.text;
  INFO(text);
  const std::string requests = "knutpunkt_http_requests_total";
  CHECK(has_line(text, requests + R"({route="/v1/cases/{case_id}",method="PUT",status="201"} 1)"));
  CHECK(has_line(text, requests + R"({route="/v1/cases/{case_id}",method="GET",status="200"} 3)"));
  CHECK(has_line(text, requests + R"({route="/v1/cases/{case_id}",method="GET",status="401"} 1)"));
  CHECK(has_line(text, requests + R"({route="/v1/lookups/{adapter}",method="POST",status="200"} 1)"));
  CHECK(has_line(text, requests + R"({route="unmatched",method="GET",status="404"} 1)"));
  CHECK(has_line(text, R"(knutpunkt_http_request_duration_seconds_count{route="/v1/cases/{case_id}",method="GET"} 4)"));
  CHECK(has_line(
      text, R"(knutpunkt_http_request_duration_seconds_bucket{route="/v1/cases/{case_id}",method="GET",le="+Inf"} 4)"));
  CHECK(has_line(text, R"(knutpunkt_lookup_outcomes_total{adapter="ssbtek",source="SKV",outcome="ok"} 1)"));
  // Paths carry case ids and the lookup's body a personnummer: neither is a label.
  CHECK(text.find("EB-2026") == std::string::npos);
  CHECK(text.find("nothing") == std::string::npos);
  CHECK(text.find("19121212") == std::string::npos);

  // The scrape itself is counted once it is answered.
  const auto again = gw.get_as_operator("/metrics");
  CHECK(has_line(again.text, requests + R"({route="/metrics",method="GET",status="200"} 1)"));
}

TEST_CASE("/readyz answers from the last background check: calls between checks never reach the partner") {
  HarnessOptions options;
  options.readiness_refresh_ms = 600000;  // no background check but the first during the test
  GatewayHarness gw("ops_readiness_between_checks", options);
  const auto first = gw.get_as_operator("/readyz");
  INFO(first.body.dump());
  REQUIRE(first.status == 200);
  CHECK(first.body["checks"]["ssbtek"]["ready"] == true);
  CHECK(first.body["checks"]["ssbtek"]["age_ms"].is_number_integer());
  CHECK(first.body["age_ms"].is_number_integer());
  const int pings = readiness_pings(gw);
  CHECK(pings == 1);
  for (int k = 0; k < 5; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
    CHECK(gw.get_as_operator("/readyz").status == 200);
  }
  CHECK(readiness_pings(gw) == pings);
}

TEST_CASE("the background check pings the partner every readiness_refresh_ms, and /readyz follows it down") {
  HarnessOptions options;
  options.readiness_refresh_ms = 200;
  GatewayHarness gw("ops_readiness_refreshed", options);
  REQUIRE(gw.get_as_operator("/readyz").status == 200);
  const int pings = readiness_pings(gw);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (readiness_pings(gw) < pings + 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  CHECK(readiness_pings(gw) >= pings + 3);

  // The partner goes away: a later check says so, with no /readyz call asking for one.
  gw.stop_simulator();
  HttpReply ready;
  const auto down_by = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    ready = gw.get_as_operator("/readyz");
  } while (ready.status == 200 && std::chrono::steady_clock::now() < down_by);
  INFO(ready.body.dump());
  CHECK(ready.status == 503);
  CHECK(ready.body["status"] == "not_ready");
  CHECK(ready.body["checks"]["ssbtek"]["ready"] == false);
  CHECK(ready.body["checks"]["store"]["ready"] == true);
}
