#include <catch2/catch.hpp>

#include "consent/consent_check.h"
#include "core/clock.h"

using namespace knutpunkt;
using consent::Verdict;

namespace {

ConsentRecord record(std::string id, std::string partner, std::set<std::string> types, std::string given,
                     std::string expires, std::string withdrawn = {}) {
  ConsentRecord c;
  c.consent_id = std::move(id);
  c.person_id = "191212121212";
  c.partner = std::move(partner);
  c.information_types = std::move(types);
  c.given_at = std::move(given);
  c.expires_at = std::move(expires);
  c.withdrawn_at = std::move(withdrawn);
  return c;
}

std::chrono::system_clock::time_point at(const char* text) { return *parse_utc(text); }

}  // namespace

TEST_CASE("a consent covers its partner and information types between given_at and the end of its expiry day") {
  const std::vector<ConsentRecord> consents = {
      record("c1", "arbetsformedlingen", {"HANDLINGSPLAN", "AKTIVITETSRAPPORTER"}, "2026-11-01", "2027-04-30")};
  CHECK(consent::check(consents, "arbetsformedlingen", "HANDLINGSPLAN", at("2026-11-24T10:00:00Z")).verdict ==
        Verdict::valid);
  // The expiry date is covered to its end.
  CHECK(consent::check(consents, "arbetsformedlingen", "HANDLINGSPLAN", at("2027-04-30T23:59:59Z")).verdict ==
        Verdict::valid);
  CHECK(consent::check(consents, "arbetsformedlingen", "HANDLINGSPLAN", at("2027-05-01T00:00:00Z")).verdict ==
        Verdict::expired);
  CHECK(consent::check(consents, "arbetsformedlingen", "HANDLINGSPLAN", at("2026-10-31T23:59:59Z")).verdict ==
        Verdict::not_yet_valid);
  CHECK(consent::check(consents, "arbetsformedlingen", "BESLUT", at("2026-11-24T10:00:00Z")).verdict ==
        Verdict::out_of_scope);
  CHECK(consent::check(consents, "forsakringskassan", "HANDLINGSPLAN", at("2026-11-24T10:00:00Z")).verdict ==
        Verdict::none);
  CHECK(consent::check({}, "arbetsformedlingen", "HANDLINGSPLAN", at("2026-11-24T10:00:00Z")).verdict == Verdict::none);
}

TEST_CASE("a withdrawn consent stops exchanges from the moment of withdrawal") {
  const std::vector<ConsentRecord> consents = {record("c1", "arbetsformedlingen", {"HANDLINGSPLAN"}, "2026-11-01",
                                                      "2027-04-30", "2026-11-24T12:00:00.000Z")};
  CHECK(consent::check(consents, "arbetsformedlingen", "HANDLINGSPLAN", at("2026-11-24T11:59:59Z")).verdict ==
        Verdict::valid);
  CHECK(consent::check(consents, "arbetsformedlingen", "HANDLINGSPLAN", at("2026-11-24T12:00:00Z")).verdict ==
        Verdict::withdrawn);
}

TEST_CASE("among several consents the one that holds wins; otherwise the refusal names the nearest") {
  const std::vector<ConsentRecord> consents = {
      record("old", "arbetsformedlingen", {"HANDLINGSPLAN"}, "2025-01-01", "2025-12-31"),
      record("withdrawn", "arbetsformedlingen", {"HANDLINGSPLAN"}, "2026-01-01", "2026-12-31", "2026-06-01"),
      record("new", "arbetsformedlingen", {"HANDLINGSPLAN"}, "2026-11-01", "2027-10-31"),
  };
  auto now = consent::check(consents, "arbetsformedlingen", "HANDLINGSPLAN", at("2026-11-24T10:00:00Z"));
  CHECK(now.verdict == Verdict::valid);
  REQUIRE(now.consent);
  CHECK(now.consent->consent_id == "new");
  auto summer = consent::check(consents, "arbetsformedlingen", "HANDLINGSPLAN", at("2026-07-01T10:00:00Z"));
  CHECK(summer.verdict == Verdict::withdrawn);
  CHECK(summer.consent->consent_id == "withdrawn");
}

TEST_CASE("a consent whose dates cannot be read allows nothing") {
  const std::vector<ConsentRecord> consents = {record("c1", "arbetsformedlingen", {"HANDLINGSPLAN"}, "soon", "later")};
  CHECK(consent::check(consents, "arbetsformedlingen", "HANDLINGSPLAN", at("2026-11-24T10:00:00Z")).verdict !=
        Verdict::valid);
}
