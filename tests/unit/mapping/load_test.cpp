// A bad mapping file stops start-up with the file and the JSON pointer of the offending member.
#include <catch2/catch.hpp>

#include "mapping/mapping.h"
#include "temp_dir.h"

using knutpunkt::mapping::load_mappings;
using knutpunkt::mapping::Mapping;
using knutpunkt::test_support::TempDir;
using nlohmann::json;

namespace {

json valid_mapping() {
  return json::parse(R"({
    "mapping": "test/M", "version": 1,
    "namespaces": {"r": "urn:reply"},
    "data": "/r:reply/r:data",
    "events": [{"type": "test.thing", "each": "r:item",
                "facts": {"amount_ore": {"path": "r:amount", "type": "amount_sek", "required": true}}}]
  })");
}

// The error's "where" for the mapping m written as M.json.
std::string where_of(const TempDir& dir, const json& m) {
  auto loaded = Mapping::load(dir.write("M.json", m.dump()), dir.path);
  if (loaded) return "loaded";
  CHECK(loaded.error().code == "mapping_invalid");
  const std::string file = (dir.path / "M.json").string();
  REQUIRE(loaded.error().where.starts_with(file + "#"));
  return loaded.error().where.substr(file.size());
}

}  // namespace

TEST_CASE("the valid base mapping loads") {
  TempDir dir;
  CHECK(where_of(dir, valid_mapping()) == "loaded");
}

TEST_CASE("each kind of mistake is reported with its JSON pointer") {
  TempDir dir;
  json m;

  m = valid_mapping();
  m["evnts"] = json::array();
  CHECK(where_of(dir, m) == "#/evnts");

  m = valid_mapping();
  m["version"] = 2;
  CHECK(where_of(dir, m) == "#/version");

  m = valid_mapping();
  m["mapping"] = "test/Other";
  CHECK(where_of(dir, m) == "#/mapping");

  m = valid_mapping();
  m["data"] = "/q:reply/r:data";
  CHECK(where_of(dir, m) == "#/data");

  m = valid_mapping();
  m["events"][0]["each"] = "r:item[";
  CHECK(where_of(dir, m) == "#/events/0/each");

  m = valid_mapping();
  m["events"][0]["type"] = "Payment";
  CHECK(where_of(dir, m) == "#/events/0/type");

  m = valid_mapping();
  m["events"][0]["facts"]["amount_ore"]["type"] = "money";
  CHECK(where_of(dir, m) == "#/events/0/facts/amount_ore/type");

  m = valid_mapping();
  m["events"][0]["facts"]["amount_ore"]["requierd"] = true;
  CHECK(where_of(dir, m) == "#/events/0/facts/amount_ore/requierd");

  m = valid_mapping();
  m["events"][0]["facts"]["AmountOre"] = m["events"][0]["facts"]["amount_ore"];
  CHECK(where_of(dir, m) == "#/events/0/facts/AmountOre");

  m = valid_mapping();
  m["events"][0]["facts"]["source"] = {{"type", "constant"}};
  CHECK(where_of(dir, m) == "#/events/0/facts/source/value");

  m = valid_mapping();
  m["events"][0]["facts"]["amount_ore"]["format"] = "YYYYMMDD";
  CHECK(where_of(dir, m) == "#/events/0/facts/amount_ore/format");

  m = valid_mapping();
  m["events"][0]["occurred_at"] = {{"path", "r:when"}, {"type", "string"}};
  CHECK(where_of(dir, m) == "#/events/0/occurred_at/type");

  m = valid_mapping();
  m["decode"] = {{"xpath", "r:payload"}, {"as", "base64-yaml"}};
  CHECK(where_of(dir, m) == "#/decode/as");

  m = valid_mapping();
  m["decode"] = {{"xpath", "r:payload"}, {"as", "base64-xml"}, {"schema", "missing.xsd"}};
  CHECK(where_of(dir, m) == "#/decode/schema");

  m = valid_mapping();
  m["decode"] = {{"xpath", "r:payload"}, {"as", "base64-xml"}, {"schema", "../outside.xsd"}};
  CHECK(where_of(dir, m) == "#/decode/schema");

  m = valid_mapping();
  m["decode"] = {{"xpath", "r:payload"}, {"as", "base64-json"}};
  m["events"][0]["each"] = "/items/*";
  m["events"][0]["facts"]["amount_ore"]["path"] = "sums/*";
  CHECK(where_of(dir, m) == "#/events/0/facts/amount_ore/path");

  m = valid_mapping();
  m["protected_identity"] = {{"path", "r:flag"}};
  CHECK(where_of(dir, m) == "#/protected_identity/equals");

  m = valid_mapping();
  m["events"][0]["facts"] = json::object();
  CHECK(where_of(dir, m) == "#/events/0/facts");
}

TEST_CASE("a file that is not JSON, or missing, is unreadable") {
  TempDir dir;
  auto broken = Mapping::load(dir.write("M.json", "{\"mapping\": "), dir.path);
  REQUIRE_FALSE(broken.has_value());
  CHECK(broken.error().code == "mapping_unreadable");
  auto missing = Mapping::load(dir.path / "none.json", dir.path);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == "mapping_unreadable");
}

TEST_CASE("load_mappings keys mappings by file stem and stops at the first bad file") {
  TempDir dir;
  json a = valid_mapping();
  a["mapping"] = "test/A";
  json b = valid_mapping();
  b["mapping"] = "test/B";
  dir.write("A.json", a.dump());
  dir.write("B.json", b.dump());
  dir.write("notes.txt", "not a mapping");
  auto loaded = load_mappings(dir.path, dir.path);
  REQUIRE(loaded.has_value());
  REQUIRE(loaded->size() == 2);
  CHECK(loaded->at("B").name() == "test/B");

  b["events"][0]["each"] = "r:[";
  dir.write("B.json", b.dump());
  auto failed = load_mappings(dir.path, dir.path);
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().where.ends_with("B.json#/events/0/each"));
}

TEST_CASE("a code field may name a code list in the schema directory; a list it cannot find stops the load") {
  TempDir dir;
  dir.write("codes.json", R"({"lists": {"colour": {"codes": [{"code": "RED", "label": "red"}, {"code": "BLUE"}]}}})");
  json m = valid_mapping();
  m["events"][0]["facts"]["colour"] = {
      {"path", "r:colour"}, {"type", "code"}, {"codes", {{"list", "codes.json"}, {"name", "colour"}}}};
  auto loaded = Mapping::load(dir.write("M.json", m.dump()), dir.path);
  REQUIRE(loaded.has_value());

  m["events"][0]["facts"]["colour"]["codes"]["name"] = "size";
  CHECK(where_of(dir, m) == "#/events/0/facts/colour/codes/name");
  m["events"][0]["facts"]["colour"]["codes"] = {{"list", "../codes.json"}, {"name", "colour"}};
  CHECK(where_of(dir, m) == "#/events/0/facts/colour/codes/list");
  m["events"][0]["facts"]["colour"]["codes"] = {{"list", "missing.json"}, {"name", "colour"}};
  CHECK(where_of(dir, m) == "#/events/0/facts/colour/codes/list");
  m["events"][0]["facts"]["colour"]["codes"] = {{"list", "codes.json"}, {"name", "colour"}, {"extra", 1}};
  CHECK(where_of(dir, m) == "#/events/0/facts/colour/codes/extra");
  dir.write("codes.json", R"({"lists": {"colour": {"codes": [{"code": "RED"}, {"label": "no code"}]}}})");
  m["events"][0]["facts"]["colour"]["codes"] = {{"list", "codes.json"}, {"name", "colour"}};
  CHECK(where_of(dir, m) == "#/events/0/facts/colour/codes/1");
}
