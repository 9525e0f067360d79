#include "mapping/json_path.h"

#include <catch2/catch.hpp>

using knutpunkt::mapping::JsonCursor;
using knutpunkt::mapping::JsonPath;
using nlohmann::json;

TEST_CASE("json paths walk keys, indexes, wildcards and parents") {
  const json doc = json::parse(R"({"a": {"list": [{"x": 1, "in": {"y": "p"}}, {"x": 2}, {"x": null}], "a/b": 3}})");
  const JsonCursor root{&doc};

  auto all = JsonPath::compile("/a/list/*/x");
  REQUIRE(all.has_value());
  CHECK(all->selects_many());
  auto xs = all->select(root);
  REQUIRE(xs.size() == 2);  // the null is not a value
  CHECK(*xs[1].back() == 2);

  auto second = JsonPath::compile("a/list/1/x").value().select(root);
  REQUIRE(second.size() == 1);
  CHECK(*second[0].back() == 2);

  auto inner = JsonPath::compile("/a/list/0/in").value().select(root);
  REQUIRE(inner.size() == 1);
  auto up = JsonPath::compile("../x").value().select(inner[0]);
  REQUIRE(up.size() == 1);
  CHECK(*up[0].back() == 1);
  auto absolute = JsonPath::compile("/a/a~1b").value().select(inner[0]);
  REQUIRE(absolute.size() == 1);
  CHECK(*absolute[0].back() == 3);

  CHECK(JsonPath::compile("/a/missing/x").value().select(root).empty());
  CHECK(JsonPath::compile("/a/list/9").value().select(root).empty());
  CHECK(JsonPath::compile("..").value().select(root).empty());
}

TEST_CASE("malformed json paths are rejected") {
  CHECK_FALSE(JsonPath::compile("a//b").has_value());
  CHECK_FALSE(JsonPath::compile("a/~2").has_value());
  CHECK_FALSE(JsonPath::compile("a/").has_value());
}
