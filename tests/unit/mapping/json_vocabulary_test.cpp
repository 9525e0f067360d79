// The vocabulary of a partner's published JSON Schema: members the schema does not name are
// deviations of a message that still maps, found through $ref, items and the schema combinators,
// never past where the schema stops saying anything; and the schema a mapping names is checked when
// the mapping loads.
#include "mapping/json_vocabulary.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "mapping/versioned_mapping.h"
#include "temp_dir.h"

using knutpunkt::mapping::JsonVocabulary;
using knutpunkt::mapping::load_versioned_mappings;
using knutpunkt::mapping::Mapping;
using knutpunkt::mapping::MappingResult;
using knutpunkt::test_support::TempDir;
using nlohmann::json;

namespace {

JsonVocabulary vocabulary(const json& schema) {
  auto compiled = JsonVocabulary::compile(schema, "s.schema.json");
  if (!compiled) FAIL(compiled.error());
  return *compiled;
}

std::vector<std::string> unknown_paths(const JsonVocabulary& vocabulary, const json& message) {
  std::vector<std::string> paths;
  for (const auto& deviation : vocabulary.unknown_fields(message)) paths.push_back(deviation["path"]);
  return paths;
}

using Paths = std::vector<std::string>;

const json kReportSchema = json::parse(R"({
  "type": "object",
  "properties": {
    "id": {"type": "string"},
    "person": {"$ref": "#/$defs/person"},
    "days": {"type": "array", "items": {"$ref": "#/definitions/day"}},
    "meta": {"description": "free-form: the schema says nothing about what is inside"}
  },
  "$defs": {"person": {"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": false}},
  "definitions": {"day": {"allOf": [{"properties": {"date": {}}}, {"$ref": "#/definitions/hours"}]},
                  "hours": {"properties": {"hours": {"type": "number"}}}}
})");

std::string json_mapping(const std::string& stem, const std::string& contract) {
  return R"({"mapping": "p/)" + stem + R"(", "version": 1, "payload": "json", "contract": )" + contract + R"(,
    "events": [{"type": "test.day", "each": "/days/*",
                "facts": {"id": {"path": "/id", "type": "string", "required": true},
                          "date": {"path": "date", "type": "date", "required": true},
                          "hours": {"path": "hours", "type": "decimal"}}}]})";
}

json report() {
  return json::parse(R"({"id": "R-1", "person": {"name": "Anna"}, "meta": {"anything": {"goes": 1}},
                         "days": [{"date": "2026-12-01", "hours": 4}, {"date": "2026-12-02"}]})");
}

json event_facts(const MappingResult& result) {
  json out = json::array();
  for (const auto& event : result.events) out.push_back(event.facts);
  return out;
}

}  // namespace

TEST_CASE("a message that uses only the schema's names has no unknown fields, through $ref, items and allOf") {
  CHECK(vocabulary(kReportSchema).unknown_fields(report()).empty());
}

TEST_CASE("an unknown member at the top, in an object or in an array item is reported at its JSON pointer") {
  const auto v = vocabulary(kReportSchema);
  json message = report();
  message["channel"] = "api";
  message["person"]["phone"] = "070-1234567";
  message["days"][1]["comment"] = "sjuk";
  const auto found = v.unknown_fields(message);
  REQUIRE(found.size() == 3);
  CHECK(found[0] == json{{"kind", "unknown_field"}, {"path", "/channel"}, {"detail", "not in s.schema.json"}});
  CHECK(found[1]["path"] == "/days/1/comment");
  CHECK(found[2]["path"] == "/person/phone");
  // Paths and the schema's name only: never the partner's values.
  for (const auto& deviation : found) {
    CHECK(deviation.dump().find("070") == std::string::npos);
    CHECK(deviation.dump().find("sjuk") == std::string::npos);
  }
}

TEST_CASE("nothing is checked where the schema says nothing") {
  const auto v = vocabulary(kReportSchema);
  json message = report();
  message["meta"] = {{"new", {{"deeper", true}}}};              // "meta" has no properties
  message["days"][0]["date"] = {{"structured", "2026-12-01"}};  // "date": {} says nothing
  CHECK(v.unknown_fields(message).empty());
  // A schema without properties anywhere names no members, so it reports none.
  CHECK(vocabulary(json::parse(R"({"type": "object"})")).unknown_fields(message).empty());
}

TEST_CASE("anyOf, oneOf and the branches of a condition all name members") {
  const auto v = vocabulary(json::parse(R"({
    "properties": {"typ": {"enum": ["A", "B"]}},
    "anyOf": [{"properties": {"a": {}}}],
    "oneOf": [{"properties": {"b": {}}}, {"properties": {"c": {"$ref": "#/$defs/c"}}}],
    "allOf": [{"if": {"properties": {"typ": {"const": "A"}}}, "then": {"properties": {"extraA": {}}},
               "else": {"properties": {"extraB": {}}}}],
    "unevaluatedProperties": false,
    "$defs": {"c": {"properties": {"inner": {}}}}})"));
  CHECK(v.unknown_fields(json::parse(R"({"typ": "A", "a": 1, "b": 2, "c": {"inner": 3}, "extraA": {}, "extraB": {}})"))
            .empty());
  CHECK(unknown_paths(v, json::parse(R"({"typ": "A", "c": {"outer": 3}, "d": 4})")) == Paths{"/c/outer", "/d"});
}

TEST_CASE("additionalProperties as a schema describes the other members; true or patternProperties allows them") {
  const auto v = vocabulary(json::parse(R"({
    "properties": {
      "groups": {"type": "object", "additionalProperties": {"type": "array", "items": {"properties": {"kod": {}}}}},
      "open": {"properties": {"known": {}}, "additionalProperties": true},
      "patterned": {"properties": {"known": {}}, "patternProperties": {"^x-": {}}},
      "closed": {"additionalProperties": false}}})"));
  const json message = json::parse(R"({
    "groups": {"FK:BOB": [{"kod": "1"}, {"kod": "2", "ny": true}]},
    "open": {"known": 1, "other": 2}, "patterned": {"known": 1, "x-other": 2},
    "closed": {"anything": 1}})");
  CHECK(unknown_paths(v, message) == Paths{"/closed/anything", "/groups/FK:BOB/1/ny"});
}

TEST_CASE("member names are escaped in the pointer as RFC 6901 says") {
  const auto v = vocabulary(json::parse(R"({"properties": {"a": {"properties": {}}}})"));
  CHECK(unknown_paths(v, json::parse(R"({"a/b~c": 1, "a": {"x/y": 2}})")) == Paths{"/a/x~1y", "/a~1b~0c"});
}

TEST_CASE("a hostile message cannot flood the audit record: at most 64 unknown fields") {
  const auto v = vocabulary(kReportSchema);
  json message = report();
  for (int i = 0; i < 10000; ++i) message["f" + std::to_string(i)] = i;
  for (int i = 0; i < 100; ++i) message["days"].push_back({{"date", "2026-12-03"}, {"x", i}});
  CHECK(v.unknown_fields(message).size() == JsonVocabulary::kMaxUnknownFields);
  CHECK(v.unknown_fields(message, 3).size() == 3);
}

TEST_CASE("a recursive schema compiles and is followed as deep as the message goes") {
  const auto v = vocabulary(json::parse(R"({"$ref": "#/$defs/node",
    "$defs": {"node": {"properties": {"name": {}, "children": {"items": {"$ref": "#/$defs/node"}}}}}})"));
  json message = {{"name", "root"}};
  json* at = &message;
  for (int i = 0; i < 10; ++i) {
    (*at)["children"] = json::array({{{"name", "n"}}});
    at = &(*at)["children"][0];
  }
  (*at)["extra"] = 1;
  CHECK(unknown_paths(v, message) ==
        Paths{"/children/0/children/0/children/0/children/0/children/0/children/0/children/0/children/0/children/0/"
              "children/0/extra"});
}

TEST_CASE("a $ref to another document or to nothing is refused when the schema is compiled") {
  auto remote = JsonVocabulary::compile(json::parse(R"({"properties": {"a": {"$ref": "other.json#/x"}}})"), "s.json");
  REQUIRE_FALSE(remote);
  CHECK(remote.error().find("s.json#/properties/a/$ref") == 0);
  auto dangling = JsonVocabulary::compile(json::parse(R"({"items": {"$ref": "#/$defs/missing"}})"), "s.json");
  REQUIRE_FALSE(dangling);
  CHECK(dangling.error().find("s.json#/items/$ref") == 0);
}

TEST_CASE("a JSON mapping naming its schema maps the same facts and lists the unknown members as deviations") {
  TempDir mappings;
  TempDir schemas;
  schemas.write("report.schema.json", kReportSchema.dump());
  auto mapping = Mapping::load(
      mappings.write("R.json", json_mapping("R", R"({"name": "r", "version": "1", "schema": "report.schema.json"})")),
      schemas.path);
  if (!mapping) FAIL(mapping.error().where + ": " + mapping.error().message);

  const auto plain = mapping->apply(report());
  REQUIRE(plain);
  CHECK(plain->deviations.empty());
  CHECK(plain->contract_version == "1");
  for (const std::string pointer : {"/channel", "/person/phone", "/days/0/comment"}) {
    INFO(pointer);
    json message = report();
    message[json::json_pointer(pointer)] = "x";
    const auto result = mapping->apply(message);
    REQUIRE(result);
    CHECK(event_facts(*result) == event_facts(*plain));
    REQUIRE(result->deviations.size() == 1);
    CHECK(result->deviations[0] ==
          json{{"kind", "unknown_field"}, {"path", pointer}, {"detail", "not in report.schema.json"}});
  }
}

TEST_CASE("a contract schema that is missing, not JSON, outside the schema folder or on an XML mapping stops loading") {
  TempDir mappings;
  TempDir schemas;
  schemas.write("broken.schema.json", "{\"properties\": ");
  schemas.write("dangling.schema.json", R"({"$ref": "#/$defs/none"})");
  const auto where = [&](const std::string& text) {
    auto loaded = Mapping::load(mappings.write("R.json", text), schemas.path);
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().code == "mapping_invalid");
    return loaded.error().where.substr(loaded.error().where.find('#'));
  };
  for (const char* schema : {"missing.schema.json", "broken.schema.json", "dangling.schema.json",
                             "../report.schema.json", "/etc/report.schema.json"}) {
    INFO(schema);
    CHECK(where(json_mapping("R", json{{"name", "r"}, {"version", "1"}, {"schema", schema}}.dump())) ==
          "#/contract/schema");
  }
  schemas.write("report.schema.json", kReportSchema.dump());
  CHECK(where(R"({"mapping": "p/R", "version": 1, "data": "/r", "events": [],
                  "contract": {"name": "r", "version": "1", "schema": "report.schema.json"}})") == "#/contract/schema");
}

TEST_CASE("a second version of a JSON document is picked by recognised_by and checked against its own schema") {
  TempDir mappings;
  TempDir schemas;
  schemas.write("report.schema.json", kReportSchema.dump());
  json v2_schema = kReportSchema;
  v2_schema["properties"]["schemaVersion"] = {{"const", 2}};
  schemas.write("report-2.schema.json", v2_schema.dump());
  mappings.write("R.json", json_mapping("R", R"({"name": "r", "version": "1", "schema": "report.schema.json"})"));
  mappings.write("R.2.json", json_mapping("R.2", R"({"name": "r", "version": "2", "schema": "report-2.schema.json",
      "recognised_by": {"path": "/schemaVersion", "type": "integer", "equals": 2}})"));
  auto loaded = load_versioned_mappings(mappings.path, schemas.path);
  if (!loaded) FAIL(loaded.error().where + ": " + loaded.error().message);
  const auto& r = loaded->at("R");

  json v2 = report();
  v2["schemaVersion"] = 2;
  const auto read_v2 = r.apply(v2);
  REQUIRE(read_v2);
  CHECK(read_v2->contract_version == "2");
  CHECK(read_v2->deviations.empty());

  const auto read_v1 = r.apply(report());
  REQUIRE(read_v1);
  CHECK(read_v1->contract_version == "1");
  CHECK(event_facts(*read_v1) == event_facts(*read_v2));
}

namespace {

const std::map<std::string, knutpunkt::mapping::VersionedMapping>& jobbtorg() {
  static const auto loaded = [] {
    const std::filesystem::path dir = KNUTPUNKT_JOBBTORG_MAPPINGS;
    auto all = load_versioned_mappings(dir, knutpunkt::mapping::published_schema_dir(dir));
    if (!all) FAIL(all.error().where + ": " + all.error().message);
    return std::move(*all);
  }();
  return loaded;
}

json jobbtorg_report(const std::string& typ) {
  std::ifstream in(std::filesystem::path(KNUTPUNKT_JOBBTORG_FIXTURES) / "reports" / (typ + ".json"));
  REQUIRE(in.good());
  return json::parse(in);
}

}  // namespace

TEST_CASE("Jobbtorg's mappings find report.schema.json beside them, and every report fixture uses only its names") {
  // The report schema names each report type's own object only in an if/then inside allOf, and the
  // days of NARVARO through items and $ref: this fails for a walk that misses any of them.
  for (const char* typ :
       {"INSKRIVNING", "EJ_INSKRIVEN", "FORSTA_BESOK", "IB_DEL2_KLAR", "NARVARO", "AVBROTT", "AVSLUT"}) {
    INFO(typ);
    const auto& mapping = jobbtorg().at(typ);
    REQUIRE(mapping.versions().size() == 1);
    CHECK(mapping.versions().front().contract().version == "1");
    const auto result = mapping.apply(jobbtorg_report(typ));
    REQUIRE(result);
    CHECK(result->deviations.empty());
  }
}

TEST_CASE("an unknown Jobbtorg member at the top, in the report's object or in a day is one deviation each") {
  const json plain = jobbtorg_report("NARVARO");
  const auto& narvaro = jobbtorg().at("NARVARO");
  const auto expected = narvaro.apply(plain);
  REQUIRE(expected);
  REQUIRE(expected->events.size() == 4);
  for (const std::string pointer : {"/kanal", "/narvaro/rapportor", "/narvaro/dagar/2/kommentar"}) {
    INFO(pointer);
    json message = plain;
    message[json::json_pointer(pointer)] = "Anna";
    const auto result = narvaro.apply(message);
    REQUIRE(result);
    CHECK(event_facts(*result) == event_facts(*expected));
    REQUIRE(result->deviations.size() == 1);
    CHECK(result->deviations[0] ==
          json{{"kind", "unknown_field"}, {"path", pointer}, {"detail", "not in report.schema.json"}});
  }
}
