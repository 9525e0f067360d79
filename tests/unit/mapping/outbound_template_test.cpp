// Outbound templates on synthetic templates and sources: placeholders, literals, omission and the
// load-time checks.
#include "mapping/outbound_template.h"

#include <catch2/catch.hpp>

#include "temp_dir.h"

using knutpunkt::mapping::load_outbound_templates;
using knutpunkt::mapping::MappingError;
using knutpunkt::mapping::OutboundTemplate;
using knutpunkt::test_support::TempDir;
using nlohmann::json;

namespace {

std::string file(const std::string& template_json) {
  return R"({"mapping": "test/out", "version": 1, "direction": "outbound", "template": )" + template_json + "}";
}

OutboundTemplate load(const TempDir& dir, const std::string& template_json) {
  auto loaded = OutboundTemplate::load(dir.write("out.json", file(template_json)));
  if (!loaded) FAIL(loaded.error().where + ": " + loaded.error().message);
  return std::move(*loaded);
}

MappingError template_load_error(const std::string& whole_file) {
  TempDir dir;
  auto loaded = OutboundTemplate::load(dir.write("out.json", whole_file));
  REQUIRE_FALSE(loaded.has_value());
  return loaded.error();
}

const char* kTemplate = R"({
  "id": {"$from": "/id", "required": true, "type": "string"},
  "version": 3,
  "kind": "referral",
  "flags": [true, null, {"nested": "literal"}],
  "person": {
    "pnr": {"$from": "/person/id", "required": true},
    "hidden": {"$from": "/person/hidden", "type": "boolean", "default": false}
  },
  "contact": {
    "name": {"$from": "/contact/name", "type": "string"},
    "phone": {"$from": "/contact/phone", "type": "string"}
  },
  "dates": [{"$from": "/first", "type": "date"}, {"$from": "/second", "type": "date"}],
  "at": {"$from": "/at", "type": "datetime"},
  "hours": {"$from": "/hours", "type": "integer"},
  "empty_literal": {},
  "escaped": {"$from": "/a~1b/c~0d"},
  "whole": {"$from": "/extra"}
})";

}  // namespace

TEST_CASE("a template copies literals and fills placeholders from the source") {
  TempDir dir;
  const OutboundTemplate out = load(dir, kTemplate);
  CHECK(out.name() == "test/out");
  const json source = json::parse(R"({
    "id": "X-1", "person": {"id": "191212121212", "hidden": true},
    "contact": {"name": "N", "phone": "P"}, "first": "2026-12-01", "second": "2026-12-02",
    "at": "2026-11-24T09:15:02.120Z", "hours": 20, "a/b": {"c~d": "esc"}, "extra": {"any": [1, "thing"]}
  })");
  auto body = out.render(source);
  REQUIRE(body.has_value());
  CHECK(*body == json::parse(R"({
    "id": "X-1", "version": 3, "kind": "referral", "flags": [true, null, {"nested": "literal"}],
    "person": {"pnr": "191212121212", "hidden": true},
    "contact": {"name": "N", "phone": "P"}, "dates": ["2026-12-01", "2026-12-02"],
    "at": "2026-11-24T09:15:02.120Z", "hours": 20, "empty_literal": {}, "escaped": "esc",
    "whole": {"any": [1, "thing"]}
  })"));
}

TEST_CASE("missing optional values leave their keys out, and containers emptied by that too") {
  TempDir dir;
  const OutboundTemplate out = load(dir, kTemplate);
  const json source = json::parse(R"({"id": "X-2", "person": {"id": "191212121212"},
                                      "contact": {"name": null, "phone": "  "}, "second": "2026-12-02"})");
  auto body = out.render(source);
  REQUIRE(body.has_value());
  CHECK(*body == json::parse(R"({
    "id": "X-2", "version": 3, "kind": "referral", "flags": [true, null, {"nested": "literal"}],
    "person": {"pnr": "191212121212", "hidden": false},
    "dates": ["2026-12-02"], "empty_literal": {}
  })"));
}

TEST_CASE("a missing required value names the source pointer") {
  TempDir dir;
  const OutboundTemplate out = load(dir, kTemplate);
  auto body = out.render(json::parse(R"({"id": "X-3", "person": {}})"));
  REQUIRE_FALSE(body.has_value());
  CHECK(body.error().code == "value_missing");
  CHECK(body.error().field == "/person/id");
  CHECK(body.error().where == "test/out:/template/person/pnr");

  auto not_an_object = out.render(json::array({1, 2}));
  REQUIRE_FALSE(not_an_object.has_value());
  CHECK(not_an_object.error().field == "/id");
}

TEST_CASE("a present value of the wrong type is refused without quoting it") {
  struct Case {
    std::string pointer;
    json value;
  };
  const std::vector<Case> cases = {
      {"/id", 17},
      {"/person/hidden", "yes"},
      {"/hours", 20.5},
      {"/hours", "20"},
      {"/first", "2026-02-30"},
      {"/first", "2026-12-01Z"},
      {"/at", "2026-11-24 09:15"},
  };
  TempDir dir;
  const OutboundTemplate out = load(dir, kTemplate);
  for (const auto& c : cases) {
    INFO(c.pointer << " = " << c.value.dump());
    json source = {{"id", "X-4"}, {"person", {{"id", "191212121212"}}}};
    source[json::json_pointer(c.pointer)] = c.value;
    auto body = out.render(source);
    REQUIRE_FALSE(body.has_value());
    CHECK(body.error().code == "value_invalid");
    CHECK(body.error().field == c.pointer);
    if (c.value.is_string()) CHECK(body.error().message.find(c.value.get<std::string>()) == std::string::npos);
  }
}

TEST_CASE("array indexes in $from reach array elements, and nothing else") {
  TempDir dir;
  const OutboundTemplate out = load(dir, R"({"first": {"$from": "/list/0"}, "bad": {"$from": "/list/01"},
                                             "past": {"$from": "/list/5"}})");
  auto body = out.render(json{{"list", {"a", "b"}}});
  REQUIRE(body.has_value());
  CHECK(*body == json{{"first", "a"}});
}

TEST_CASE("template mistakes are reported with the file and JSON pointer at load") {
  struct Case {
    std::string template_json;
    std::string pointer;
  };
  const std::vector<Case> cases = {
      {R"({"a": {"$from": "no-slash"}})", "#/template/a/$from"},
      {R"({"a": {"$from": "/bad~2escape"}})", "#/template/a/$from"},
      {R"({"a": {"$from": "/x~"}})", "#/template/a/$from"},
      {R"({"a": {"$from": 3}})", "#/template/a/$from"},
      {R"({"a": {"$from": "/x", "requierd": true}})", "#/template/a/requierd"},
      {R"({"a": {"$from": "/x", "required": "yes"}})", "#/template/a/required"},
      {R"({"a": {"$from": "/x", "type": "number"}})", "#/template/a/type"},
      {R"({"a": {"$from": "/x", "required": true, "default": "d"}})", "#/template/a/default"},
      {R"({"a": {"$from": "/x", "type": "integer", "default": "d"}})", "#/template/a/default"},
      {R"({"a": {"$from": "/x", "default": null}})", "#/template/a/default"},
      {R"({"a": [1, {"b": {"$form": "/x"}}]})", "#/template/a/1/b/$form"},
      {R"({"$from": "/x"})", "#/template"},
      {R"([1])", "#/template"},
  };
  for (const auto& c : cases) {
    INFO(c.template_json);
    const MappingError error = template_load_error(file(c.template_json));
    CHECK(error.code == "mapping_invalid");
    CHECK(error.where.ends_with("out.json" + c.pointer));
  }
}

TEST_CASE("a template file's own members are checked at load") {
  CHECK(template_load_error(R"({"mapping": "test/other", "version": 1, "direction": "outbound", "template": {}})")
            .where.ends_with("#/mapping"));
  CHECK(template_load_error(R"({"mapping": "test/out", "version": 2, "direction": "outbound", "template": {}})")
            .where.ends_with("#/version"));
  CHECK(template_load_error(R"({"mapping": "test/out", "version": 1, "template": {}})").where.ends_with("#/direction"));
  CHECK(template_load_error(R"({"mapping": "test/out", "version": 1, "direction": "inbound", "template": {}})")
            .where.ends_with("#/direction"));
  CHECK(template_load_error(R"({"mapping": "test/out", "version": 1, "direction": "outbound"})")
            .where.ends_with("#/template"));
  CHECK(template_load_error(R"({"mapping": "test/out", "version": 1, "direction": "outbound", "template": {}, "x": 1})")
            .where.ends_with("#/x"));
  CHECK(template_load_error("{not json").code == "mapping_unreadable");
  auto missing = OutboundTemplate::load("/nonexistent/out.json");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == "mapping_unreadable");
}

TEST_CASE("load_outbound_templates loads only the outbound files of a folder") {
  TempDir dir;
  dir.write("out.json", file(R"({"a": {"$from": "/a"}})"));
  dir.write("IN.json", R"({"mapping": "test/IN", "version": 1, "payload": "json", "events": []})");
  auto templates = load_outbound_templates(dir.path);
  REQUIRE(templates.has_value());
  CHECK(templates->size() == 1);
  CHECK(templates->contains("out"));
  dir.write("bad.json", R"({"mapping": "test/bad", "version": 1, "direction": "outbound", "template": {"$x": 1}})");
  auto broken = load_outbound_templates(dir.path);
  REQUIRE_FALSE(broken.has_value());
  CHECK(broken.error().where.ends_with("bad.json#/template/$x"));
}
