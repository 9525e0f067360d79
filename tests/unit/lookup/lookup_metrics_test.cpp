// Lookup counters: what an operator scrapes to see which partner drifts from its contract.
#include <catch2/catch.hpp>

#include "lookup/lookup_metrics.h"

using namespace knutpunkt;

TEST_CASE("deviations are counted per adapter, source and kind; outcomes per status") {
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
  CHECK(text.find("knutpunkt_lookup_source_outcomes_total{adapter=\"ssbtek\",source=\"AF\",status=\"ok\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_lookup_source_outcomes_total{adapter=\"ssbtek\",source=\"CSN\",status=\"unavailable\"} 1\n") !=
        std::string::npos);
}
