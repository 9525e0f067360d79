// JSON-input mappings ("payload": "json") on small synthetic messages: the engine still knows
// nothing about any partner.
#include <catch2/catch.hpp>

#include "mapping/mapping.h"
#include "mapping_test_support.h"
#include "temp_dir.h"

using knutpunkt::mapping::load_mappings;
using knutpunkt::mapping::Mapping;
using knutpunkt::mapping::MappingError;
using knutpunkt::test_support::TempDir;
using mapping_test::load;
using nlohmann::json;

namespace {

MappingError mapping_load_error(const std::string& text) {
  TempDir dir;
  auto mapping = Mapping::load(dir.write("J.json", text), dir.path);
  REQUIRE_FALSE(mapping.has_value());
  return mapping.error();
}

const char* kJsonMapping = R"({
  "mapping": "test/J", "version": 1, "payload": "json",
  "occurred_at": {"path": "/sent", "type": "datetime", "required": true},
  "protected_identity": {"path": "/people/*/hidden", "type": "boolean", "equals": true},
  "events": [{
    "type": "test.day", "each": "/report/days/*", "required": true,
    "occurred_at": {"path": "date", "type": "date"},
    "facts": {
      "ref": {"path": "/ref", "type": "string", "required": true},
      "date": {"path": "date", "type": "date", "required": true},
      "status": {"path": "status", "type": "code", "required": true, "codes": ["IN", "OUT"]},
      "reason": {"path": "reason", "type": "code", "codes": ["SICK", "OTHER"]},
      "hours": {"path": "hours", "type": "decimal"},
      "from": {"path": "../../from", "type": "date", "required": true},
      "source": {"type": "constant", "value": "synthetic"}
    }
  }]
})";

json message() {
  return json::parse(R"({
    "ref": "R-1", "sent": "2026-12-05T16:00:00Z",
    "people": [{"hidden": false}],
    "report": {"from": "2026-12-01", "days": [
      {"date": "2026-12-01", "status": "IN", "hours": 4},
      {"status": "OUT", "reason": "SICK", "hours": 2.5}
    ]}
  })");
}

}  // namespace

TEST_CASE("a JSON-input mapping maps a JSON message with paths from the message root") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", kJsonMapping);
  CHECK(mapping.json_input());
  json msg = message();
  msg["report"]["days"][1]["date"] = "2026-12-02";
  auto result = mapping.apply(msg);
  REQUIRE(result.has_value());
  CHECK(result->has_data);
  CHECK_FALSE(result->protected_identity);
  REQUIRE(result->events.size() == 2);
  CHECK(result->events[0].type == "test.day");
  CHECK(result->events[0].occurred_at == "2026-12-01");
  CHECK(result->events[0].facts == json{{"ref", "R-1"},
                                        {"date", "2026-12-01"},
                                        {"status", "IN"},
                                        {"hours", "4"},
                                        {"from", "2026-12-01"},
                                        {"source", "synthetic"}});
  CHECK(result->events[1].facts["reason"] == "SICK");
  CHECK(result->events[1].facts["hours"] == "2.5");
}

TEST_CASE("an event without its own occurred_at value takes the message's top-level occurred_at") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", R"({
    "mapping": "test/J", "version": 1, "payload": "json",
    "occurred_at": {"path": "/sent", "type": "datetime"},
    "events": [{"type": "test.one", "each": "/", "facts": {"ref": {"path": "ref", "type": "string"}}},
               {"type": "test.two", "each": "/", "occurred_at": {"path": "/date", "type": "date"},
                "facts": {"ref": {"path": "ref", "type": "string"}}}]
  })");
  auto result = mapping.apply(json{{"ref", "R"}, {"sent", "2026-12-05T16:00:00Z"}, {"date", "2026-12-04"}});
  REQUIRE(result.has_value());
  REQUIRE(result->events.size() == 2);
  CHECK(result->events[0].occurred_at == "2026-12-05T16:00:00Z");
  CHECK(result->events[1].occurred_at == "2026-12-04");
  auto without_date = mapping.apply(json{{"ref", "R"}, {"sent", "2026-12-05T16:00:00Z"}});
  REQUIRE(without_date.has_value());
  CHECK(without_date->events[1].occurred_at == "2026-12-05T16:00:00Z");
}

TEST_CASE("the protected-identity flag is read from a JSON message") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", kJsonMapping);
  json msg = message();
  msg["report"]["days"][1]["date"] = "2026-12-02";
  msg["people"].push_back({{"hidden", true}});
  auto result = mapping.apply(msg);
  REQUIRE(result.has_value());
  CHECK(result->protected_identity);

  msg["people"][1]["hidden"] = "perhaps";
  auto unreadable = mapping.apply(msg);
  REQUIRE_FALSE(unreadable.has_value());
  CHECK(unreadable.error().code == "value_invalid");
  CHECK(unreadable.error().field == "/people/1/hidden");
}

TEST_CASE("a missing required value names the message pointer where it was expected") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", kJsonMapping);
  auto result = mapping.apply(message());  // day 1 has no date
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == "value_missing");
  CHECK(result.error().field == "/report/days/1/date");
  CHECK(result.error().where == "test/J:/events/0/facts/date (item 1)");

  json no_from = message();
  no_from["report"]["days"][1]["date"] = "2026-12-02";
  no_from["report"].erase("from");
  auto parent = mapping.apply(no_from);
  REQUIRE_FALSE(parent.has_value());
  CHECK(parent.error().field == "/report/from");  // "../../from" resolved against the item

  json no_sent = message();
  no_sent.erase("sent");
  auto top = mapping.apply(no_sent);
  REQUIRE_FALSE(top.has_value());
  CHECK(top.error().code == "value_missing");
  CHECK(top.error().field == "/sent");
}

TEST_CASE("a blank or null required value is missing too, and names its pointer") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", kJsonMapping);
  json msg = message();
  msg["report"]["days"][1]["date"] = "2026-12-02";
  msg["ref"] = "  ";
  auto blank = mapping.apply(msg);
  REQUIRE_FALSE(blank.has_value());
  CHECK(blank.error().code == "value_missing");
  CHECK(blank.error().field == "/ref");
  msg["ref"] = nullptr;
  auto null = mapping.apply(msg);
  REQUIRE_FALSE(null.has_value());
  CHECK(null.error().field == "/ref");
}

TEST_CASE("an invalid value names its message pointer and the message does not quote it") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", kJsonMapping);
  json msg = message();
  msg["report"]["days"][1]["date"] = "2026-13-45";
  auto result = mapping.apply(msg);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == "value_invalid");
  CHECK(result.error().field == "/report/days/1/date");
  CHECK(result.error().message.find("2026-13-45") == std::string::npos);
}

TEST_CASE("a code outside the listed codes is refused, required or not") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", kJsonMapping);
  json msg = message();
  msg["report"]["days"][1]["date"] = "2026-12-02";
  msg["report"]["days"][1]["reason"] = "HOLIDAY";
  auto optional = mapping.apply(msg);
  REQUIRE_FALSE(optional.has_value());
  CHECK(optional.error().code == "value_invalid");
  CHECK(optional.error().field == "/report/days/1/reason");
  CHECK(optional.error().message.find("HOLIDAY") == std::string::npos);

  msg["report"]["days"][1]["reason"] = "sick";  // codes are case-sensitive
  CHECK_FALSE(mapping.apply(msg).has_value());
  msg["report"]["days"][1]["reason"] = 1;  // a number is not a code
  CHECK_FALSE(mapping.apply(msg).has_value());
  msg["report"]["days"][1]["reason"] = " SICK ";  // trimmed like every text value
  CHECK(mapping.apply(msg).has_value());
  msg["report"]["days"][0]["status"] = "MAYBE";
  auto required = mapping.apply(msg);
  REQUIRE_FALSE(required.has_value());
  CHECK(required.error().field == "/report/days/0/status");
}

TEST_CASE("a required event whose each selects nothing names the container") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", kJsonMapping);
  json msg = message();
  msg["report"]["days"] = json::array();
  auto empty = mapping.apply(msg);
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().code == "value_missing");
  CHECK(empty.error().field == "/report/days");
  msg.erase("report");
  auto absent = mapping.apply(msg);
  REQUIRE_FALSE(absent.has_value());
  CHECK(absent.error().field == "/report/days");
}

TEST_CASE("an optional event whose each selects nothing produces no events") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", R"({
    "mapping": "test/J", "version": 1, "payload": "json",
    "events": [{"type": "test.item", "each": "/items/*", "facts": {"v": {"path": "v", "type": "integer"}}}]
  })");
  auto result = mapping.apply(json::object());
  REQUIRE(result.has_value());
  CHECK(result->events.empty());
}

TEST_CASE("pointers escape ~ and / in keys") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", R"({
    "mapping": "test/J", "version": 1, "payload": "json",
    "events": [{"type": "test.item", "each": "/a~1b/*",
                "facts": {"v": {"path": "c~0d", "type": "integer", "required": true}}}]
  })");
  auto result = mapping.apply(json::parse(R"({"a/b": [{"c~d": 1}, {"c~d": "x"}]})"));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().field == "/a~1b/1/c~0d");
}

TEST_CASE("applying a mapping to the other kind of input is a payload_kind error") {
  TempDir dir;
  const Mapping json_mapping = load(dir, "J", kJsonMapping);
  auto doc = knutpunkt::xml::Document::parse("<r/>");
  REQUIRE(doc.has_value());
  auto on_xml = json_mapping.apply(*doc);
  REQUIRE_FALSE(on_xml.has_value());
  CHECK(on_xml.error().code == "payload_kind");

  const Mapping xml_mapping = load(dir, "X", R"({
    "mapping": "test/X", "version": 1, "data": "/r",
    "events": [{"type": "test.x", "each": "x", "facts": {"v": {"path": "@v", "type": "string"}}}]
  })");
  CHECK_FALSE(xml_mapping.json_input());
  auto on_json = xml_mapping.apply(json::object());
  REQUIRE_FALSE(on_json.has_value());
  CHECK(on_json.error().code == "payload_kind");
  // And a base64-json mapping is still an XML-reply mapping.
  const Mapping decoded = load(dir, "D", R"({
    "mapping": "test/D", "version": 1, "data": "/r", "decode": {"xpath": "p", "as": "base64-json"},
    "events": [{"type": "test.x", "each": "/*", "facts": {"v": {"path": "v", "type": "string"}}}]
  })");
  auto decoded_on_json = decoded.apply(json::object());
  REQUIRE_FALSE(decoded_on_json.has_value());
  CHECK(decoded_on_json.error().code == "payload_kind");
}

TEST_CASE("an XML mapping's errors carry no message field") {
  TempDir dir;
  const Mapping mapping = load(dir, "X", R"({
    "mapping": "test/X", "version": 1, "data": "/r",
    "events": [{"type": "test.x", "each": "x", "facts": {"v": {"path": "@v", "type": "integer", "required": true}}}]
  })");
  auto doc = knutpunkt::xml::Document::parse("<r><x/></r>");
  REQUIRE(doc.has_value());
  auto result = mapping.apply(*doc);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == "value_missing");
  CHECK(result.error().field.empty());
}

TEST_CASE("JSON-input and code mistakes are reported with their JSON pointer at load") {
  const std::string head = R"("mapping": "test/J", "version": 1, )";
  const std::string event =
      R"("events": [{"type": "test.x", "each": "/", "facts": {"v": {"path": "v", "type": "string"}}}])";
  struct Case {
    std::string body;
    std::string pointer;
  };
  const std::vector<Case> cases = {
      {R"("payload": "yaml", )" + event, "#/payload"},
      {R"("payload": "json", "data": "/r", )" + event, "#/data"},
      {R"("payload": "json", "namespaces": {"a": "urn:a"}, )" + event, "#/namespaces"},
      {R"("payload": "json", "decode": {"xpath": "p", "as": "json-text"}, )" + event, "#/decode"},
      {R"~("payload": "json", "protected_identity": {"xpath": "boolean(/x)"}, )~" + event,
       "#/protected_identity/xpath"},
      {R"("payload": "json", "occurred_at": {"path": "/t", "type": "string"}, )" + event, "#/occurred_at/type"},
      {R"("payload": "json", "occurred_at": {"path": "/a/*", "type": "date"}, )" + event, "#/occurred_at/path"},
      {R"("payload": "json", "direction": "outbound", )" + event, "#/direction"},
      {R"("payload": "json", "events": [{"type": "test.x", "each": "/", "required": "yes", "facts": {"v": {"path": "v", "type": "string"}}}])",
       "#/events/0/required"},
      {R"("payload": "json", "events": [{"type": "test.x", "each": "/", "facts": {"v": {"path": "v", "type": "code"}}}])",
       "#/events/0/facts/v/codes"},
      {R"("payload": "json", "events": [{"type": "test.x", "each": "/", "facts": {"v": {"path": "v", "type": "code", "codes": []}}}])",
       "#/events/0/facts/v/codes"},
      {R"("payload": "json", "events": [{"type": "test.x", "each": "/", "facts": {"v": {"path": "v", "type": "code", "codes": ["A", "A"]}}}])",
       "#/events/0/facts/v/codes/1"},
      {R"("payload": "json", "events": [{"type": "test.x", "each": "/", "facts": {"v": {"path": "v", "type": "code", "codes": ["A", " B"]}}}])",
       "#/events/0/facts/v/codes/1"},
      {R"("payload": "json", "events": [{"type": "test.x", "each": "/", "facts": {"v": {"path": "v", "type": "code", "codes": ["A", 2]}}}])",
       "#/events/0/facts/v/codes/1"},
      {R"("payload": "json", "events": [{"type": "test.x", "each": "/", "facts": {"v": {"path": "v", "type": "string", "codes": ["A"]}}}])",
       "#/events/0/facts/v/codes"},
      {R"("payload": "json", "protected_identity": {"path": "/p", "type": "code", "equals": "A"}, )" + event,
       "#/protected_identity/type"},
      {R"("payload": "json", "direction": "inbound", )" + event, ""},  // control: the base loads
  };
  for (const auto& c : cases) {
    INFO(c.body);
    TempDir dir;
    auto mapping = Mapping::load(dir.write("J.json", "{" + head + c.body + "}"), dir.path);
    if (c.pointer.empty()) {
      CHECK(mapping.has_value());
      continue;
    }
    REQUIRE_FALSE(mapping.has_value());
    CHECK(mapping.error().code == "mapping_invalid");
    CHECK(mapping.error().where.ends_with("J.json" + c.pointer));
  }
  CHECK(mapping_load_error(R"({"mapping": "test/J", "version": 1, )" + event + "}").where.ends_with("#/data"));
}

TEST_CASE("load_mappings skips outbound templates in the same folder") {
  TempDir dir;
  dir.write("J.json", kJsonMapping);
  dir.write("anvisning.json",
            R"({"mapping": "test/anvisning", "version": 1, "direction": "outbound", "template": {"a": 1}})");
  auto mappings = load_mappings(dir.path, dir.path);
  REQUIRE(mappings.has_value());
  CHECK(mappings->size() == 1);
  CHECK(mappings->contains("J"));
}
