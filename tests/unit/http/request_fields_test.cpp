#include "http/request_fields.h"

#include <catch2/catch.hpp>

using namespace knutpunkt::http;
using Params = std::map<std::string, std::string>;

namespace {

bool names(const std::vector<InvalidParam>& invalid, const std::string& field, const std::string& code) {
  for (const auto& p : invalid) {
    if (p.name == field && p.code == code) return true;
  }
  return false;
}

std::vector<InvalidParam> date_problems(const nlohmann::json& value, bool required = true) {
  std::vector<InvalidParam> invalid;
  nlohmann::json object = nlohmann::json::object();
  if (!value.is_discarded()) object["d"] = value;
  read_date(object, "d", "when.d", required, invalid);
  return invalid;
}

}  // namespace

TEST_CASE("query parameters are split on & and =, and percent- and plus-decoded") {
  CHECK(query_parameters("/v1/events") == Params{});
  CHECK(query_parameters("/v1/events?") == Params{});
  CHECK(query_parameters("/v1/events?after=12&limit=50") == Params{{"after", "12"}, {"limit", "50"}});
  CHECK(query_parameters("/x?q=a+b%20c") == Params{{"q", "a b c"}});
  CHECK(query_parameters("/x?name=S%C3%B6derort") == Params{{"name", "Söderort"}});
  CHECK(query_parameters("/x?a%3Db=%26") == Params{{"a=b", "&"}});
  CHECK(query_parameters("/x?v=%41%4a%4A") == Params{{"v", "AJJ"}});
  CHECK(query_parameters("/x?flag") == Params{{"flag", ""}});
  CHECK(query_parameters("/x?a=1=2") == Params{{"a", "1=2"}});
  CHECK(query_parameters("/x?&&a=1&&b=&") == Params{{"a", "1"}, {"b", ""}});
  CHECK(query_parameters("/x?a=1&a=2") == Params{{"a", "2"}});  // the last one counts
}

TEST_CASE("a malformed percent escape makes the whole query malformed") {
  for (const char* target : {"/x?a=%", "/x?a=%4", "/x?a=%zz", "/x?a=%4g", "/x?%=1", "/x?a=1&b=%G0", "/x?a=100%"}) {
    INFO(target);
    CHECK_FALSE(query_parameters(target).has_value());
  }
  CHECK(query_parameters("/x?a=%25") == Params{{"a", "%"}});
}

TEST_CASE("a date must be an existing calendar day written YYYY-MM-DD") {
  CHECK(date_problems("2024-02-29").empty());
  CHECK(date_problems("2026-12-31").empty());
  for (const char* bad : {"2023-02-29", "2026-13-01", "2026-00-10", "2026-01-32", "2026-04-31", "2026-1-01",
                          "26-01-01", "20260101", "2026/01/01", "2026-01-01T00:00:00Z", "2026-01-0a", "yesterday"}) {
    INFO(bad);
    const auto problems = date_problems(bad);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].name == "when.d");
    CHECK(problems[0].code == "bad_date");
  }
  CHECK(names(date_problems(20260101), "when.d", "not_a_string"));
  CHECK(names(date_problems(nlohmann::json(nlohmann::json::value_t::discarded)), "when.d", "missing"));
  CHECK(date_problems(nlohmann::json(nlohmann::json::value_t::discarded), false).empty());
  CHECK(names(date_problems(""), "when.d", "empty"));
}

TEST_CASE("a date with a sign or a space in a number is not YYYY-MM-DD") {
  for (const char* bad : {"+026-01-01", "-001-01-01", " 026-01-01", "2026-+1-01", "2026-01-+1", "2026- 1-01"}) {
    INFO(bad);
    CHECK(names(date_problems(bad), "when.d", "bad_date"));
  }
}

TEST_CASE("text, integer and code readers name the field and say what is wrong") {
  const nlohmann::json body = {{"text", "ok"},   {"long", std::string(201, 'x')}, {"ctl", "a\tb"},
                               {"num", 5},       {"float", 2.5},                  {"big", 99},
                               {"code", "BLUE"}, {"codex", "PURPLE"}};
  std::vector<InvalidParam> invalid;
  CHECK(read_text(body, "text", "text", true, invalid) == "ok");
  CHECK(invalid.empty());
  read_text(body, "long", "long", true, invalid);
  CHECK(names(invalid, "long", "too_long"));
  read_text(body, "ctl", "ctl", true, invalid);
  CHECK(names(invalid, "ctl", "control_characters"));
  read_text(body, "absent", "absent", true, invalid);
  CHECK(names(invalid, "absent", "missing"));
  read_text(body, "num", "num", true, invalid);
  CHECK(names(invalid, "num", "not_a_string"));

  invalid.clear();
  CHECK(read_integer(body, "num", "num", true, 1, 10, invalid) == 5);
  CHECK_FALSE(read_integer(body, "float", "float", true, 1, 10, invalid).has_value());
  CHECK(names(invalid, "float", "not_an_integer"));
  CHECK_FALSE(read_integer(body, "big", "big", true, 1, 10, invalid).has_value());
  CHECK(names(invalid, "big", "out_of_range"));
  CHECK_FALSE(read_integer(body, "absent", "absent", false, 1, 10, invalid).has_value());
  CHECK_FALSE(names(invalid, "absent", "missing"));

  invalid.clear();
  const std::set<std::string> colours{"BLUE", "RED"};
  CHECK(read_code(body, "code", "code", true, colours, invalid) == "BLUE");
  CHECK(invalid.empty());
  read_code(body, "codex", "codex", true, colours, invalid);
  REQUIRE(invalid.size() == 1);
  CHECK(invalid[0].code == "unknown_code");
  CHECK(invalid[0].reason.find("PURPLE") == std::string::npos);  // never echoes the value
}

TEST_CASE("unknown fields are refused by name, with the prefix of the object they are in") {
  std::vector<InvalidParam> invalid;
  refuse_unknown_fields({{"a", 1}, {"b", 2}, {"zzz", 3}}, "outer.", {"a", "b"}, invalid);
  REQUIRE(invalid.size() == 1);
  CHECK(invalid[0].name == "outer.zzz");
  CHECK(invalid[0].code == "unknown_field");
}

TEST_CASE("NUL, DEL and C1 control characters are refused in text and identifiers, naming the field") {
  const nlohmann::json body = {{"nul", std::string("EB-1\0-2", 7)},
                               {"del", "EB-1\x7f"},
                               {"nel", "EB-2026\u0085-1"},     // C1 NEL as UTF-8
                               {"accented", "Skärholmen-Å"}};  // non-control non-ASCII stays allowed
  for (const std::string key : {"nul", "del", "nel"}) {
    std::vector<InvalidParam> invalid;
    read_text(body, key, key, true, invalid);
    CHECK(names(invalid, key, "control_characters"));
    invalid.clear();
    CHECK_FALSE(valid_identifier(body[key].get<std::string>(), "case_id", invalid));
    CHECK(names(invalid, "case_id", "control_characters"));
  }
  std::vector<InvalidParam> invalid;
  CHECK(read_text(body, "accented", "accented", true, invalid) == "Skärholmen-Å");
  CHECK(valid_identifier("EB-2026-000123", "case_id", invalid));
  CHECK(invalid.empty());
  CHECK_FALSE(valid_identifier("", "consent_id", invalid));
  CHECK(names(invalid, "consent_id", "empty"));
  CHECK_FALSE(valid_identifier(std::string(65, 'x'), "referral_id", invalid));
  CHECK(names(invalid, "referral_id", "too_long"));
}

TEST_CASE(
    "a personnummer with a NUL or any control character is refused naming the field, separators are - and + only") {
  const auto today = std::chrono::year{2026} / std::chrono::May / 14;
  for (const std::string& id :
       {std::string("19121212\0"
                    "1212",
                    13),
        std::string("121212\0"
                    "1212",
                    11),
        std::string("19121212-1212\n"), std::string("121212\t1212"), std::string("19121212-1212\xc2\x85")}) {
    std::vector<InvalidParam> invalid;
    CHECK_FALSE(read_person_id({{"person_id", id}}, "person_id", "person_id", today, invalid).has_value());
    CHECK(names(invalid, "person_id", "control_characters"));
  }
  std::vector<InvalidParam> invalid;
  CHECK(read_person_id({{"person_id", "19121212-1212"}}, "person_id", "person_id", today, invalid)->digits ==
        "191212121212");
  CHECK(read_person_id({{"person_id", "121212+1212"}}, "person_id", "person_id", today, invalid)->digits ==
        "191212121212");
  CHECK(invalid.empty());
}
