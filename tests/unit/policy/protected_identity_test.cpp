#include <catch2/catch.hpp>

#include "policy/protected_identity.h"

using namespace knutpunkt;

TEST_CASE("a protected person's location facts are stripped, other facts stay") {
  nlohmann::json facts = {{"address", "Storgatan 1"},
                          {"registered_address_street", "Storgatan 1"},
                          {"postal_code", "11122"},
                          {"city", "Stockholm"},
                          {"location_municipality", "0180"},
                          {"folkbokforingsadress", "x"},
                          {"amount_ore", 12300},
                          {"benefit_type", "SJP"},
                          {"registered_on", "2026-01-01"}};
  CHECK(policy::strip_location_facts(facts) == 6);
  CHECK(facts == nlohmann::json({{"amount_ore", 12300}, {"benefit_type", "SJP"}, {"registered_on", "2026-01-01"}}));
  CHECK(policy::strip_location_facts(facts) == 0);
}

TEST_CASE("location facts are recognised by name") {
  CHECK(policy::is_location_fact("location_address"));
  CHECK(policy::is_location_fact("care_of"));
  CHECK_FALSE(policy::is_location_fact("allocation_percent"));
  CHECK_FALSE(policy::is_location_fact("municipality_of_payer"));
}
