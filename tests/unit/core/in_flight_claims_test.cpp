#include "core/in_flight_claims.h"

#include <catch2/catch.hpp>
#include <string>

using knutpunkt::InFlightClaims;

TEST_CASE("a claimed key is refused until its claim is released or destroyed") {
  InFlightClaims<std::string> claims;
  {
    auto first = claims.try_claim("plan-1");
    REQUIRE(first);
    CHECK_FALSE(claims.try_claim("plan-1"));
    CHECK(claims.try_claim("plan-2"));  // released at once: the temporary is destroyed
    first->release();
    auto again = claims.try_claim("plan-1");
    REQUIRE(again);
  }
  CHECK(claims.try_claim("plan-1"));
}

TEST_CASE("several keys are claimed all or none") {
  InFlightClaims<std::string> claims;
  auto held = claims.try_claim("b");
  REQUIRE(held);
  CHECK_FALSE(claims.try_claim(std::vector<std::string>{"a", "b"}));
  CHECK(claims.try_claim("a"));  // "a" was not left claimed by the refused attempt
}

TEST_CASE("copies of a claim share it: it ends with the last copy or the first release") {
  InFlightClaims<std::string> claims;
  auto claim = claims.try_claim("k");
  REQUIRE(claim);
  {
    auto copy = *claim;
    claim.reset();
    CHECK_FALSE(claims.try_claim("k"));
  }
  CHECK(claims.try_claim("k"));
}

TEST_CASE("a claim is made only when the admission check agrees, and the check runs only for free keys") {
  InFlightClaims<std::string> claims;
  int asked = 0;
  CHECK_FALSE(claims.try_claim_if("k", [&] {
    ++asked;
    return false;
  }));
  CHECK(asked == 1);
  auto held = claims.try_claim_if("k", [&] {
    ++asked;
    return true;
  });
  REQUIRE(held);
  CHECK_FALSE(claims.try_claim_if("k", [&] {
    ++asked;
    return true;
  }));
  CHECK(asked == 2);
}
