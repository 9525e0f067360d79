#include "audit/canonical_json.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>

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

// ---- Escaping bytes that are not UTF-8 (escape_utf8 / unescape_utf8 / with_valid_utf8)

namespace {

using knutpunkt::escape_utf8;
using knutpunkt::is_valid_utf8;
using knutpunkt::unescape_utf8;
using knutpunkt::with_valid_utf8;

const std::string kMarker = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

TEST_CASE("UTF-8 is told from what is not: overlong forms, surrogates and bytes out of place are not") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("Utredning av bistånd – åäö 😀"));
  CHECK(is_valid_utf8(std::string("nul \0 is a character", 20)));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a UTF-16 surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("a\xc3"));             // cut in the middle of a character
  CHECK_FALSE(is_valid_utf8("\x80"));
}

TEST_CASE("text that is UTF-8 is not escaped; bytes that are not become \\xHH after a U+FFFD marker") {
  CHECK(escape_utf8("/v1/events?after=3") == "/v1/events?after=3");
  CHECK(escape_utf8("C:\\väg") == "C:\\väg");  // valid text keeps its backslashes as they are
  CHECK(escape_utf8("\xff\xc0") == kMarker + "\\xff\\xc0");
  CHECK(escape_utf8("/v1/events?\xff=1&å=\\") == kMarker + "/v1/events?\\xff=1&å=\\\\");
  // Valid text that begins with the marker is escaped too, so it cannot pass for escaped text.
  CHECK(escape_utf8(kMarker + "\\xff") == kMarker + kMarker + "\\\\xff");
  CHECK(unescape_utf8(kMarker + kMarker + "\\\\xff") == kMarker + "\\xff");
}

TEST_CASE("escaped text reads back as the bytes it was made from, and nothing else reads back") {
  for (const std::string& bytes : {std::string("\xff\xc0"), std::string("a\xc3"), std::string("\\x41\xfe"),
                                   std::string("\xed\xa0\x80 ok"), kMarker, std::string("plain")}) {
    const std::string text = escape_utf8(bytes);
    CHECK(is_valid_utf8(text));
    CHECK(unescape_utf8(text) == bytes);
  }
  CHECK_FALSE(unescape_utf8(kMarker + "\\").has_value());
  CHECK_FALSE(unescape_utf8(kMarker + "\\xf").has_value());
  CHECK_FALSE(unescape_utf8(kMarker + "\\xFF").has_value());  // only the lowercase spelling is made
  CHECK_FALSE(unescape_utf8(kMarker + "\\x41").has_value());  // 'A' needs no escape
  CHECK_FALSE(unescape_utf8(kMarker + "abc").has_value());    // nothing here needed escaping
}

TEST_CASE("any bytes at all escape to UTF-8 that reads back as them, and distinct bytes never share a text") {
  // A property over many random byte strings, biased toward the bytes that make UTF-8 go wrong.
  std::mt19937 random(20261206);
  const std::string alphabet = std::string("\\xa\x80\xbf\xc0\xc2\xc3\xe0\xed\xef\xbf\xbd\xf0\xf4\xf5\xff", 17) + "x";
  std::map<std::string, std::string> seen;
  for (int round = 0; round < 20000; ++round) {
    std::string bytes;
    const int length = static_cast<int>(random() % 9);
    for (int i = 0; i < length; ++i) {
      bytes += random() % 4 == 0 ? static_cast<char>(random() % 256) : alphabet[random() % alphabet.size()];
    }
    const std::string text = escape_utf8(bytes);
    REQUIRE(is_valid_utf8(text));
    REQUIRE(unescape_utf8(text) == bytes);
    auto [it, fresh] = seen.emplace(text, bytes);
    REQUIRE(it->second == bytes);
  }
}

TEST_CASE("a record body with bytes that are not UTF-8 in keys and values gets a canonical form") {
  const nlohmann::json body = {{"query", "\xff\xc0=1"},
                               {"invalid_params", {{{"name", "\xff\xc0"}, {"code", "unknown_parameter"}}}},
                               {std::string("\xc0"), 1},
                               {"ok", "åäö"}};
  REQUIRE_FALSE(canonical_json(body).has_value());
  const nlohmann::json escaped = with_valid_utf8(body);
  REQUIRE(canonical_json(escaped).has_value());
  CHECK(escaped["query"] == kMarker + "\\xff\\xc0=1");
  CHECK(escaped["invalid_params"][0]["name"] == kMarker + "\\xff\\xc0");
  CHECK(escaped[kMarker + "\\xc0"] == 1);
  CHECK(escaped["ok"] == "åäö");
  // A body that was UTF-8 already is left exactly as it was.
  const nlohmann::json fine = {{"syfte", "Utredning av bistånd"}, {"n", 3}, {"list", {"a", "\\b"}}};
  CHECK(with_valid_utf8(fine) == fine);
}
