#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>

#include "sip_fixtures.h"

using namespace knutpunkt::sip;
using namespace knutpunkt::sip::fixtures;
using nlohmann::json;

namespace {

json example_document() {
  std::ifstream in(KNUTPUNKT_SIP_EXAMPLE);
  REQUIRE(in.good());
  return json::parse(in);
}

json established_document() {
  return to_json(lifecycle()[6]);
}

bool names(const std::vector<SipError>& errors, const std::string& code, const std::string& pointer) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const SipError& e) { return e.code == code && e.field == pointer; });
}

std::string listed(const std::vector<SipError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.code + " at " + e.field + "; ";
  return out;
}

}  // namespace

TEST_CASE("every stage of a lifecycle survives to_json and from_json unchanged") {
  for (const SipPlan& plan : lifecycle()) {
    auto back = from_json(to_json(plan));
    INFO(to_string(plan.status));
    REQUIRE(back.has_value());
    CHECK(*back == plan);
    CHECK(to_json(*back) == to_json(plan));
  }
}

TEST_CASE("the published example parses, and writes back exactly as it was") {
  const json document = example_document();
  auto plan = from_json(document);
  INFO((plan ? std::string() : listed(plan.error())));
  REQUIRE(plan.has_value());
  CHECK(plan->status == Status::plan_established);
  CHECK(plan->version == static_cast<int>(plan->history.size()));
  CHECK(plan->insatser.size() == 2);
  CHECK(to_json(*plan) == document);
}

TEST_CASE("the published example obeys the lifecycle's rules, not only the document's shape") {
  auto plan = from_json(example_document());
  REQUIRE(plan.has_value());
  // If the example broke a content rule, a revision that changes nothing of substance would be refused.
  Revision r;
  r.followup_due = *plan->followup_due;
  auto revised = revise(*plan, r, stamp("p-kommun-1", "2026-11-01T08:00:00.000Z"));
  INFO((revised ? std::string() : revised.error().code + " at " + revised.error().field));
  CHECK(revised.has_value());
  CHECK(sharing_recipients(*plan, at("2026-11-01T08:00:00.000Z")) ==
        std::vector<std::string>{"p-kommun-1", "p-region-1"});
}

TEST_CASE("to_json writes every member, absent values as null") {
  const json initiated = to_json(lifecycle().front());
  for (const char* member : {"huvudansvar", "meeting", "followup_due", "close_reason"}) {
    REQUIRE(initiated.contains(member));
    CHECK(initiated[member].is_null());
  }
  CHECK(initiated["schema_version"] == 1);
  CHECK(initiated["consent"]["withdrawn_at"].is_null());
  CHECK(initiated["status"] == "initiated");
}

TEST_CASE("a plan carries no address anywhere: an address member is refused by name") {
  json doc = established_document();
  doc["person"]["address"] = "Storgatan 1";
  doc["participants"][1]["contact"]["address"] = "Vårdgatan 2";
  doc["meeting"]["adress"] = "x";
  auto read = from_json(doc);
  REQUIRE_FALSE(read.has_value());
  INFO(listed(read.error()));
  CHECK(names(read.error(), "unknown_field", "/person/address"));
  CHECK(names(read.error(), "unknown_field", "/participants/1/contact/address"));
  CHECK(names(read.error(), "unknown_field", "/meeting/adress"));
}

TEST_CASE("from_json reports every problem at once, each naming its JSON pointer") {
  json doc = established_document();
  doc["status"] = "paused";
  doc["consent"].erase("given_at");
  doc["insatser"][0]["end_date"] = "2027-02-30";
  doc["participants"][2]["organisation_kind"] = "kyrka";
  doc["history"][3]["at"] = "2026-10-02T10:00:00+02:00";
  doc["person"]["id"] = "19811218-9876";
  doc["version"] = 7.5;
  doc["goals"][0]["need_ids"] = "n1";
  doc["schema_version"] = 2;
  auto read = from_json(doc);
  REQUIRE_FALSE(read.has_value());
  INFO(listed(read.error()));
  CHECK(names(read.error(), "unknown_code", "/status"));
  CHECK(names(read.error(), "missing", "/consent/given_at"));
  CHECK(names(read.error(), "bad_date", "/insatser/0/end_date"));
  CHECK(names(read.error(), "unknown_code", "/participants/2/organisation_kind"));
  CHECK(names(read.error(), "bad_date_time", "/history/3/at"));
  CHECK(names(read.error(), "bad_format", "/person/id"));
  CHECK(names(read.error(), "bad_version", "/version"));
  CHECK(names(read.error(), "not_an_array", "/goals/0/need_ids"));
  CHECK(names(read.error(), "unsupported_version", "/schema_version"));
  CHECK(read.error().size() == 9);
}

TEST_CASE("from_json refuses a document that is not an object, naming the whole document") {
  auto read = from_json(json::array());
  REQUIRE_FALSE(read.has_value());
  CHECK(read.error().front().code == "not_an_object");
  CHECK(read.error().front().field.empty());
}

TEST_CASE("from_json refuses an empty consent scope, participant list or history") {
  json doc = established_document();
  doc["consent"]["scope"] = json::array();
  doc["participants"] = json::array();
  doc["history"] = json::array();
  auto read = from_json(doc);
  REQUIRE_FALSE(read.has_value());
  INFO(listed(read.error()));
  CHECK(names(read.error(), "empty", "/consent/scope"));
  CHECK(names(read.error(), "empty", "/participants"));
  CHECK(names(read.error(), "empty", "/history"));
}

TEST_CASE("a member name with / or ~ is escaped in the pointer (RFC 6901)") {
  json doc = established_document();
  doc["meeting"]["a/b~c"] = 1;
  auto read = from_json(doc);
  REQUIRE_FALSE(read.has_value());
  CHECK(names(read.error(), "unknown_field", "/meeting/a~1b~0c"));
}
