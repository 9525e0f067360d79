// Warnings about partner document versions the partner has announced it will retire: computed
// from an injected day, so the test means the same whatever day it runs.
#include <catch2/catch.hpp>

#include "lookup/contract_retirement.h"

using namespace knutpunkt;
using namespace std::chrono;

namespace {

std::string iso(sys_days day) {
  const year_month_day ymd(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return text;
}

}  // namespace

TEST_CASE("a version retiring within 60 days warns, one further away does not, one without a date never") {
  const sys_days today = sys_days(year{2031} / March / 1);
  const AdapterContracts contracts = {
      {"ssbtek",
       {ContractVersion{"CSN", "csn-kommunfraga", "3.0", iso(today + days{60})},
        ContractVersion{"CSN", "csn-kommunfraga", "4.0", ""},
        ContractVersion{"SKV", "skv-standardiserad-information", "1.0", iso(today + days{61})}}},
      {"lefi", {ContractVersion{"FK", "lefi-formansinformation", "v8", iso(today - days{1})}}},
  };

  const auto all = contract_retirements(contracts, today);
  REQUIRE(all.size() == 3);

  const auto warned = retiring_contracts(contracts, today);
  REQUIRE(warned.size() == 2);
  CHECK(warned[0].adapter == "lefi");
  CHECK(warned[0].days_left == -1);
  CHECK(describe(warned[0]).find("retired on") != std::string::npos);
  CHECK(warned[1].contract.version == "3.0");
  CHECK(warned[1].days_left == 60);
  CHECK(describe(warned[1]) == "ssbtek/CSN reads csn-kommunfraga 3.0, which the partner retires on " +
                                   iso(today + days{60}) + " (in 60 days)");
}

TEST_CASE("retirements appear in /metrics as days left and a warning flag") {
  const sys_days today = sys_days(year{2031} / March / 1);
  const AdapterContracts contracts = {
      {"ssbtek", {ContractVersion{"CSN", "csn-kommunfraga", "3.0", iso(today + days{30})},
                  ContractVersion{"SKV", "skv", "1.0", iso(today + days{400})}}}};
  const std::string text = render_prometheus(contract_retirements(contracts, today));
  CHECK(text.find("knutpunkt_contract_retirement_days{adapter=\"ssbtek\",source=\"CSN\",contract=\"csn-kommunfraga\","
                  "version=\"3.0\"} 30\n") != std::string::npos);
  CHECK(text.find("knutpunkt_contract_retiring{adapter=\"ssbtek\",source=\"CSN\",contract=\"csn-kommunfraga\","
                  "version=\"3.0\"} 1\n") != std::string::npos);
  CHECK(text.find("knutpunkt_contract_retiring{adapter=\"ssbtek\",source=\"SKV\",contract=\"skv\",version=\"1.0\"} 0\n") !=
        std::string::npos);
}
