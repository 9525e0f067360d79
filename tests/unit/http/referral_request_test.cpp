#include "http/referral_request.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>

using namespace knutpunkt;
using namespace knutpunkt::http;
using namespace std::chrono;

namespace {

constexpr year_month_day kReferralToday{year{2026}, month{11}, day{24}};

nlohmann::json valid_referral() {
  return {{"case_id", "EB-2026-000123"},
          {"municipality", "0180"},
          {"unit", "Enskede-Årsta-Vantör ekonomiskt bistånd"},
          {"district", "Enskede"},
          {"person_id", "19121212-1212"},
          {"caseworker", {{"id", "hand-0042"}, {"name", "Handläggare"}, {"phone", "08-123 456"}}},
          {"purpose", "arbetsmarknadsinsats"},
          {"target_group", "ARBETSFOR_STOD"},
          {"forsorjningshinder", "ARBETSLOS_INGEN_ERSATTNING"},
          {"extent_hours_per_week", 20},
          {"start_date", "2026-12-01"},
          {"consent_reference", "SAMTYCKE-77"},
          {"ib_part1",
           {{"completed_on", "2026-11-20"},
            {"summary", "Kort sammanfattning"},
            {"results", {{"BOENDE", "VISST_HINDER"}, {"UTBILDNINGSNIVA", "GYMNASIAL"}}}}}};
}

bool names(const ReferralRequestParse& parse, const std::string& field, const std::string& code) {
  for (const auto& p : parse.invalid) {
    if (p.name == field && p.code == code) return true;
  }
  return false;
}

std::string listing(const ReferralRequestParse& parse) {
  std::string out;
  for (const auto& p : parse.invalid) out += p.name + ":" + p.code + " ";
  return out;
}

}  // namespace

TEST_CASE("a valid referral is accepted with the person id normalised") {
  const auto parse = parse_referral_request(valid_referral(), kReferralToday);
  INFO(listing(parse));
  REQUIRE(parse.ok());
  const Referral& r = parse.referral;
  CHECK(r.case_id == "EB-2026-000123");
  CHECK(r.municipality == "0180");
  CHECK(r.district == "Enskede");
  CHECK(r.person_id == "191212121212");
  CHECK(r.id_kind == "personnummer");
  CHECK(r.caseworker.id == "hand-0042");
  CHECK(r.caseworker.phone == "08-123 456");
  CHECK(r.target_group == "ARBETSFOR_STOD");
  CHECK(r.forsorjningshinder == "ARBETSLOS_INGEN_ERSATTNING");
  CHECK(r.extent_hours_per_week == 20);
  CHECK(r.start_date == "2026-12-01");
  CHECK(r.consent_reference == "SAMTYCKE-77");
  REQUIRE(r.ib_part1.has_value());
  CHECK(r.ib_part1->completed_on == "2026-11-20");
  CHECK(r.ib_part1->results ==
        std::map<std::string, std::string>{{"BOENDE", "VISST_HINDER"}, {"UTBILDNINGSNIVA", "GYMNASIAL"}});
  CHECK(to_json(r)["ib_part1"]["results"] ==
        nlohmann::json{{"BOENDE", "VISST_HINDER"}, {"UTBILDNINGSNIVA", "GYMNASIAL"}});

  auto without_optional = valid_referral();
  without_optional.erase("ib_part1");
  without_optional["caseworker"].erase("name");
  without_optional["caseworker"].erase("phone");
  const auto minimal = parse_referral_request(without_optional, kReferralToday);
  INFO(listing(minimal));
  CHECK(minimal.ok());
  CHECK_FALSE(minimal.referral.ib_part1.has_value());
}

TEST_CASE("a personnummer with a wrong check digit is refused under person_id") {
  auto body = valid_referral();
  body["person_id"] = "19121212-1213";
  const auto parse = parse_referral_request(body, kReferralToday);
  CHECK(names(parse, "person_id", "bad_check_digit"));
  CHECK(parse.invalid.size() == 1);
  body["person_id"] = "not a number";
  CHECK(parse_referral_request(body, kReferralToday).invalid.at(0).name == "person_id");
}

TEST_CASE("codes outside their lists are refused, each under its own field") {
  auto body = valid_referral();
  body["target_group"] = "ALLA";
  body["forsorjningshinder"] = "arbetslos_ingen_ersattning";  // codes are case-sensitive
  const auto parse = parse_referral_request(body, kReferralToday);
  CHECK(names(parse, "target_group", "unknown_code"));
  CHECK(names(parse, "forsorjningshinder", "unknown_code"));
  CHECK(parse.invalid.size() == 2);
}

TEST_CASE("hours per week must be an integer from 1 to 40") {
  for (int ok : {1, 40}) {
    auto body = valid_referral();
    body["extent_hours_per_week"] = ok;
    CHECK(parse_referral_request(body, kReferralToday).ok());
  }
  for (int bad : {0, 41, -5}) {
    auto body = valid_referral();
    body["extent_hours_per_week"] = bad;
    INFO(bad);
    CHECK(names(parse_referral_request(body, kReferralToday), "extent_hours_per_week", "out_of_range"));
  }
  auto body = valid_referral();
  body["extent_hours_per_week"] = "20";
  CHECK(names(parse_referral_request(body, kReferralToday), "extent_hours_per_week", "not_an_integer"));
  body["extent_hours_per_week"] = 20.5;
  CHECK(names(parse_referral_request(body, kReferralToday), "extent_hours_per_week", "not_an_integer"));
}

TEST_CASE("dates that do not exist are refused, naming the nested field") {
  auto body = valid_referral();
  body["start_date"] = "2026-02-30";
  body["ib_part1"]["completed_on"] = "2026-11-31";
  const auto parse = parse_referral_request(body, kReferralToday);
  CHECK(names(parse, "start_date", "bad_date"));
  CHECK(names(parse, "ib_part1.completed_on", "bad_date"));
  CHECK(parse.invalid.size() == 2);
}

TEST_CASE("unknown fields are refused by name, at the top and inside nested objects") {
  auto body = valid_referral();
  body["extent_hours"] = 20;  // misspelt
  body["caseworker"]["email"] = "x@example.org";
  body["ib_part1"]["notes"] = "";
  const auto parse = parse_referral_request(body, kReferralToday);
  CHECK(names(parse, "extent_hours", "unknown_field"));
  CHECK(names(parse, "caseworker.email", "unknown_field"));
  CHECK(names(parse, "ib_part1.notes", "unknown_field"));
  CHECK(parse.invalid.size() == 3);
}

TEST_CASE("every problem of a request is reported at once") {
  nlohmann::json body = {{"municipality", "180"},
                         {"caseworker", "hand-0042"},
                         {"extent_hours_per_week", 80},
                         {"ib_part1", "done"}};
  const auto parse = parse_referral_request(body, kReferralToday);
  INFO(listing(parse));
  CHECK(names(parse, "case_id", "missing"));
  CHECK(names(parse, "municipality", "bad_format"));
  CHECK(names(parse, "unit", "missing"));
  CHECK(names(parse, "district", "missing"));
  CHECK(names(parse, "person_id", "missing"));
  CHECK(names(parse, "caseworker", "not_an_object"));
  CHECK(names(parse, "purpose", "missing"));
  CHECK(names(parse, "target_group", "missing"));
  CHECK(names(parse, "forsorjningshinder", "missing"));
  CHECK(names(parse, "extent_hours_per_week", "out_of_range"));
  CHECK(names(parse, "start_date", "missing"));
  CHECK(names(parse, "consent_reference", "missing"));
  CHECK(names(parse, "ib_part1", "not_an_object"));

  const auto not_object = parse_referral_request(nlohmann::json::array(), kReferralToday);
  REQUIRE(not_object.invalid.size() == 1);
  CHECK(not_object.invalid[0].code == "not_an_object");
}

TEST_CASE("no refusal reason echoes the submitted personnummer") {
  auto body = valid_referral();
  body["person_id"] = "19121212-1213";
  body["extent_hours_per_week"] = 99;
  for (const auto& p : parse_referral_request(body, kReferralToday).invalid) {
    CHECK(p.reason.find("19121212") == std::string::npos);
    CHECK(p.reason.find("1213") == std::string::npos);
  }
}

TEST_CASE("IB part 1's results are optional; without them the stored referral has none") {
  auto body = valid_referral();
  body["ib_part1"].erase("results");
  auto parse = parse_referral_request(body, kReferralToday);
  INFO(listing(parse));
  REQUIRE(parse.ok());
  CHECK(parse.referral.ib_part1->results.empty());
  CHECK_FALSE(to_json(parse.referral)["ib_part1"].contains("results"));
  body["ib_part1"]["results"] = nullptr;
  CHECK(parse_referral_request(body, kReferralToday).ok());
}

TEST_CASE("IB part 1's results are checked against the code lists as an assessment's, named under ib_part1.results") {
  const nlohmann::json wrong = {{"BOENDE", "LITE"},
                                {"HUMOR", "INGET_HINDER"},
                                {"UTBILDNINGSNIVA", "VISST_HINDER"},
                                {"MOTIVATION", 3},
                                {"SVENSKA_SPRAKET", "INGET_HINDER"}};
  auto body = valid_referral();
  body["ib_part1"]["results"] = wrong;
  const auto parse = parse_referral_request(body, kReferralToday);
  INFO(listing(parse));
  CHECK(names(parse, "ib_part1.results.BOENDE", "unknown_code"));
  CHECK(names(parse, "ib_part1.results.HUMOR", "unknown_code"));
  CHECK(names(parse, "ib_part1.results.UTBILDNINGSNIVA", "unknown_code"));
  CHECK(names(parse, "ib_part1.results.MOTIVATION", "unknown_code"));
  CHECK(parse.invalid.size() == 4);
  // The same results sent after the referral are refused item for item the same way.
  const auto assessment = parse_referral_assessment(
      {{"instrument", "IB"}, {"part", "DEL1"}, {"completed_on", "2026-11-20"}, {"results", wrong}}, kReferralToday);
  std::set<std::string> named;
  for (const auto& p : assessment.invalid) named.insert(p.name + ":" + p.code);
  CHECK(named == std::set<std::string>{"results.BOENDE:unknown_code", "results.HUMOR:unknown_code",
                                       "results.UTBILDNINGSNIVA:unknown_code", "results.MOTIVATION:unknown_code"});

  for (const nlohmann::json& not_results :
       {nlohmann::json::object(), nlohmann::json("BOENDE"), nlohmann::json::array()}) {
    body["ib_part1"]["results"] = not_results;
    INFO(not_results.dump());
    CHECK(names(parse_referral_request(body, kReferralToday), "ib_part1.results", "not_an_object"));
  }
}
