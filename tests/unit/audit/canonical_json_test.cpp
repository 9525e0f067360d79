#include "audit/canonical_json.h"

#include <catch2/catch.hpp>

using knutpunkt::canonical_json;

TEST_CASE("canonical JSON sorts keys at every level and has no whitespace") {
  const auto a = nlohmann::json::parse(R"({ "z": 1, "a": {"y": [3, 2, {"b": null, "a": true}], "x": "s"} })");
  const auto b = nlohmann::json::parse(R"({"a":{"x":"s","y":[3,2,{"a":true,"b":null}]},"z":1})");
  REQUIRE(canonical_json(a).has_value());
  CHECK(*canonical_json(a) == R"({"a":{"x":"s","y":[3,2,{"a":true,"b":null}]},"z":1})");
  CHECK(*canonical_json(a) == *canonical_json(b));
}

TEST_CASE("canonical JSON keeps UTF-8 as is rather than escaping it") {
  const nlohmann::json body = {{"syfte", "Utredning av bistånd – åäö"}};
  CHECK(*canonical_json(body) == "{\"syfte\":\"Utredning av bistånd – åäö\"}");
}

TEST_CASE("signed and unsigned integers of equal value encode alike") {
  CHECK(*canonical_json(nlohmann::json(std::uint64_t{42})) == *canonical_json(nlohmann::json(std::int64_t{42})));
  CHECK(*canonical_json(nlohmann::json(std::int64_t{-125000})) == "-125000");
}

TEST_CASE("a floating-point number anywhere in the value is refused with its JSON pointer") {
  const nlohmann::json body = {{"ok", 1}, {"items", {1, {{"amount/kr", 12.5}}}}};
  auto encoded = canonical_json(body);
  REQUIRE_FALSE(encoded.has_value());
  CHECK(encoded.error().code == "float_not_allowed");
  CHECK(encoded.error().pointer == "/items/1/amount~1kr");
  CHECK_FALSE(canonical_json(nlohmann::json(1.0)).has_value());
}

TEST_CASE("invalid UTF-8 and non-JSON values are refused") {
  auto bad_utf8 = canonical_json(nlohmann::json{{"k", std::string("a\xc3")}});
  REQUIRE_FALSE(bad_utf8.has_value());
  CHECK(bad_utf8.error().code == "invalid_utf8");
  auto bad_key = canonical_json(nlohmann::json{{std::string("\xff"), 1}});
  REQUIRE_FALSE(bad_key.has_value());
  CHECK(bad_key.error().code == "invalid_utf8");
  auto discarded = canonical_json(nlohmann::json(nlohmann::json::value_t::discarded));
  REQUIRE_FALSE(discarded.has_value());
  CHECK(discarded.error().code == "not_json");
  auto binary = canonical_json(nlohmann::json::binary({1, 2, 3}));
  REQUIRE_FALSE(binary.has_value());
  CHECK(binary.error().code == "not_json");
}
