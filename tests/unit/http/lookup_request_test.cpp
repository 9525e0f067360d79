#include "http/client_auth.h"
#include "http/lookup_request.h"
#include "core/digest.h"

#include <catch2/catch.hpp>

using namespace knutpunkt;
using namespace knutpunkt::http;
using namespace std::chrono;

namespace {

const std::vector<std::string> kSources = {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"};
constexpr year_month_day kLookupToday{year{2026}, month{11}, day{24}};

nlohmann::json valid_request() {
  return {{"person", "19121212-1212"},
          {"case_id", "EB-2026-000123"},
          {"purpose", "ekonomiskt_bistand"},
          {"legal_basis", "11 kap. 11 § SoL"},
          {"period", {{"from", "2026-08-01"}, {"to", "2026-10-31"}}},
          {"sources", {"AF", "FK"}},
          {"caseworker", {{"id", "hand-0042"}, {"unit", "Enskede"}}}};
}

bool names(const LookupRequestParse& parse, const std::string& field, const std::string& code) {
  for (const auto& p : parse.invalid) {
    if (p.name == field && p.code == code) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a valid lookup request becomes a normalised query") {
  auto parse = parse_lookup_request(valid_request(), kSources, kLookupToday);
  REQUIRE(parse.ok());
  CHECK(parse.request.query.person_id == "191212121212");
  CHECK(parse.request.query.id_kind == "personnummer");
  CHECK(parse.request.query.period_from == "2026-08-01");
  CHECK(parse.request.query.caseworker.id == "hand-0042");
  CHECK(parse.request.sources == std::vector<std::string>{"AF", "FK"});
}

TEST_CASE("a samordningsnummer in the 10-digit form is normalised to 12 digits") {
  auto request = valid_request();
  request["person"] = "701063-2391";
  auto parse = parse_lookup_request(request, kSources, kLookupToday);
  REQUIRE(parse.ok());
  CHECK(parse.request.query.person_id == "197010632391");
  CHECK(parse.request.query.id_kind == "samordningsnummer");
}

TEST_CASE("every invalid field is named, with its own code") {
  auto request = valid_request();
  request["person"] = "19121212-1213";
  request.erase("case_id");
  request["purpose"] = "";
  request["legal_basis"] = 42;
  request["period"] = {{"from", "2026-10-31"}, {"to", "2026-08-01"}};
  request["sources"] = {"AF", "XX", "AF", 7};
  request["caseworker"] = {{"unit", "x"}};
  request["sorces"] = {"AF"};
  auto parse = parse_lookup_request(request, kSources, kLookupToday);
  CHECK_FALSE(parse.ok());
  CHECK(names(parse, "person", "bad_check_digit"));
  CHECK(names(parse, "case_id", "missing"));
  CHECK(names(parse, "purpose", "empty"));
  CHECK(names(parse, "legal_basis", "not_a_string"));
  CHECK(names(parse, "period.to", "reversed"));
  CHECK(names(parse, "sources[1]", "unknown_source"));
  CHECK(names(parse, "sources[2]", "duplicate_source"));
  CHECK(names(parse, "sources[3]", "not_a_string"));
  CHECK(names(parse, "caseworker.id", "missing"));
  CHECK(names(parse, "sorces", "unknown_field"));
}

TEST_CASE("a period longer than any partner allows is refused at the edge naming period.to") {
  // Each partner's own limit (LEFI: two years) is the policy step's; ten years is nobody's.
  auto request = valid_request();
  request["period"] = {{"from", "2013-01-01"}, {"to", "2026-01-01"}};
  auto parse = parse_lookup_request(request, kSources, kLookupToday);
  CHECK_FALSE(parse.ok());
  REQUIRE(parse.invalid.size() == 1);
  CHECK(parse.invalid[0].name == "period.to");
  CHECK(parse.invalid[0].code == "too_long");
}

TEST_CASE("empty or missing sources and a non-object body are refused") {
  auto request = valid_request();
  request["sources"] = nlohmann::json::array();
  CHECK(names(parse_lookup_request(request, kSources, kLookupToday), "sources", "invalid"));
  CHECK_FALSE(parse_lookup_request(nlohmann::json::array(), kSources, kLookupToday).ok());
  CHECK_FALSE(parse_lookup_request("text", kSources, kLookupToday).ok());
}

TEST_CASE("control characters and over-long text are refused") {
  auto request = valid_request();
  request["case_id"] = "EB\n2026";
  request["legal_basis"] = std::string(201, 'x');
  auto parse = parse_lookup_request(request, kSources, kLookupToday);
  CHECK(names(parse, "case_id", "control_characters"));
  CHECK(names(parse, "legal_basis", "too_long"));
}

TEST_CASE("reasons never repeat the submitted personnummer") {
  auto request = valid_request();
  request["person"] = "19121212-1213";
  auto parse = parse_lookup_request(request, kSources, kLookupToday);
  for (const auto& p : parse.invalid) {
    CHECK(p.reason.find("1212") == std::string::npos);
  }
}

TEST_CASE("a bearer token is matched by its hash, case-insensitively on the scheme only") {
  ClientConfig client;
  client.id = "case-system";
  client.token_sha256 = sha256_hex("secret-token");
  client.purposes = {"ekonomiskt_bistand"};
  ClientAuth auth({client});
  REQUIRE(auth.authenticate("Bearer secret-token") != nullptr);
  CHECK(auth.authenticate("Bearer secret-token")->id == "case-system");
  CHECK(auth.authenticate("bearer secret-token") != nullptr);
  CHECK(auth.authenticate("Bearer Secret-token") == nullptr);
  CHECK(auth.authenticate("Basic secret-token") == nullptr);
  CHECK(auth.authenticate("Bearer ") == nullptr);
  CHECK(auth.authenticate("") == nullptr);
}
