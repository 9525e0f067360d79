// Lookup counters: what an operator scrapes to see which partner drifts from its contract.
#include <catch2/catch.hpp>

#include "lookup/lookup_metrics.h"

using namespace knutpunkt;

TEST_CASE("deviations are counted per adapter, source and kind; outcomes per adapter, source and outcome") {
  LookupMetrics metrics;
  SourceOutcome af;
  af.source = "AF";
  af.status = SourceStatus::ok;
  af.deviations = {{{"kind", "missing_element"}, {"path", "data/Svar"}, {"detail", "x"}},
                   {{"kind", "missing_element"}, {"path", "data/Fraga"}, {"detail", "y"}},
                   {{"kind", "unexpected_element"}, {"path", "data/Svar/Ny"}, {"detail", "z"}}};
  SourceOutcome csn;
  csn.source = "CSN";
  csn.status = SourceStatus::unavailable;
  metrics.record("ssbtek", af);
  metrics.record("ssbtek", af);
  metrics.record("ssbtek", csn);

  const auto counted = metrics.deviations();
  CHECK(counted.at({"ssbtek", "AF", "missing_element"}) == 4);
  CHECK(counted.at({"ssbtek", "AF", "unexpected_element"}) == 2);
  CHECK_FALSE(counted.contains({"ssbtek", "CSN", "missing_element"}));

  const std::string text = metrics.render_prometheus();
  CHECK(text.find("knutpunkt_lookup_deviations_total{adapter=\"ssbtek\",source=\"AF\",kind=\"missing_element\"} 4\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_lookup_outcomes_total{adapter=\"ssbtek\",source=\"AF\",outcome=\"ok\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_lookup_outcomes_total{adapter=\"ssbtek\",source=\"CSN\",outcome=\"unavailable\"} 1\n") !=
        std::string::npos);
}

TEST_CASE("every outcome a source can have is counted under its own label, per adapter and source") {
  LookupMetrics metrics;
  for (const auto status : {SourceStatus::ok, SourceStatus::unavailable, SourceStatus::timeout, SourceStatus::error}) {
    SourceOutcome outcome;
    outcome.source = "SKV";
    outcome.status = status;
    metrics.record("ssbtek", outcome);
    metrics.record("forsakringskassan", outcome);
  }
  const std::string text = metrics.render_prometheus();
  INFO(text);
  CHECK(text.find("# TYPE knutpunkt_lookup_outcomes_total counter\n") != std::string::npos);
  for (const char* adapter : {"ssbtek", "forsakringskassan"}) {
    for (const char* outcome : {"ok", "unavailable", "timeout", "error"}) {
      CHECK(text.find(std::string("knutpunkt_lookup_outcomes_total{adapter=\"") + adapter +
                      "\",source=\"SKV\",outcome=\"" + outcome + "\"} 1\n") != std::string::npos);
    }
  }
}
