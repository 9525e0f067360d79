// The engine on small synthetic inputs: it knows nothing about SSBTEK.
#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include "mapping/mapping.h"
#include "mapping_test_support.h"
#include "temp_dir.h"

using knutpunkt::mapping::Mapping;
using knutpunkt::test_support::TempDir;
using knutpunkt::xml::Document;
using mapping_test::load;
using mapping_test::parse;

namespace {

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

const char* kXmlMapping = R"({
  "mapping": "test/X", "version": 1,
  "namespaces": {"r": "urn:reply"},
  "data": "/r:reply/r:data",
  "protected_identity": {"path": "r:person/@protected", "type": "boolean", "equals": true},
  "events": [{
    "type": "test.payment", "each": "r:payment",
    "occurred_at": {"path": "r:date", "type": "date", "required": true},
    "facts": {
      "kind": {"path": "@kind", "type": "string", "required": true},
      "amount_ore": {"path": "r:amount", "type": "amount_sek", "required": true},
      "count": {"path": "r:count", "type": "integer"},
      "final": {"path": "r:final", "type": "boolean"},
      "at": {"path": "r:at", "type": "datetime"},
      "days": {"path": "r:days", "type": "decimal"},
      "source": {"type": "constant", "value": "synthetic"}
    }
  }],
  "deviations": {"each": "r:problem", "facts": {"code": {"path": "@code", "type": "string", "required": true}}}
})";

std::string reply(const std::string& data) {
  return "<r:reply xmlns:r='urn:reply'><r:data>" + data + "</r:data></r:reply>";
}

}  // namespace

TEST_CASE("an XML mapping produces one event per item with typed facts") {
  TempDir dir;
  const Mapping mapping = load(dir, "X", kXmlMapping);
  CHECK(mapping.name() == "test/X");
  auto result = mapping.apply(
      parse(reply("<r:person protected='false'/>"
                  "<r:payment kind='A'><r:date>2026-01-25</r:date><r:amount> 1234,5 </r:amount><r:count>3</r:count>"
                  "<r:final>1</r:final><r:at>2026-01-25T10:00:00Z</r:at><r:days>2.5</r:days></r:payment>"
                  "<r:payment kind='B'><r:date>2026-02-25Z</r:date><r:amount>-200</r:amount><r:count/></r:payment>"
                  "<r:problem code='P1'/>")));
  REQUIRE(result.has_value());
  CHECK(result->has_data);
  CHECK_FALSE(result->protected_identity);
  REQUIRE(result->events.size() == 2);
  const auto& first = result->events[0];
  CHECK(first.type == "test.payment");
  CHECK(first.occurred_at == "2026-01-25");
  CHECK(first.facts["kind"] == "A");
  CHECK(first.facts["amount_ore"] == 123450);
  CHECK(first.facts["count"] == 3);
  CHECK(first.facts["final"] == true);
  CHECK(first.facts["at"] == "2026-01-25T10:00:00Z");
  CHECK(first.facts["days"] == "2.5");
  CHECK(first.facts["source"] == "synthetic");
  const auto& second = result->events[1];
  CHECK(second.occurred_at == "2026-02-25");
  CHECK(second.facts["amount_ore"] == -20000);
  CHECK_FALSE(second.facts.contains("count"));  // empty element: absent, and optional
  CHECK_FALSE(second.facts.contains("final"));
  REQUIRE(result->deviations.size() == 1);
  CHECK(result->deviations[0]["code"] == "P1");
}

TEST_CASE("the protected-identity flag is read from the payload") {
  TempDir dir;
  const Mapping mapping = load(dir, "X", kXmlMapping);
  auto result = mapping.apply(parse(reply("<r:person protected='true'/>")));
  REQUIRE(result.has_value());
  CHECK(result->protected_identity);
  CHECK(result->events.empty());

  auto unreadable = mapping.apply(parse(reply("<r:person protected='ja'/>")));
  REQUIRE_FALSE(unreadable.has_value());
  CHECK(unreadable.error().code == "value_invalid");
}

TEST_CASE("a missing required value fails the reply and names the mapping member and path") {
  TempDir dir;
  const Mapping mapping = load(dir, "X", kXmlMapping);
  auto result = mapping.apply(parse(reply("<r:payment kind='A'><r:date>2026-01-25</r:date></r:payment>")));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == "value_missing");
  CHECK(result.error().where == "test/X:/events/0/facts/amount_ore (item 0)");
  CHECK(result.error().message.find("r:amount") != std::string::npos);
}

TEST_CASE("a malformed value fails the reply without quoting the value") {
  TempDir dir;
  const Mapping mapping = load(dir, "X", kXmlMapping);
  auto result = mapping.apply(
      parse(reply("<r:payment kind='A'><r:date>2026-01-25</r:date><r:amount>191212121212.123</r:amount></r:payment>")));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == "value_invalid");
  CHECK(result.error().message.find("191212121212") == std::string::npos);
  auto bad_date =
      mapping.apply(parse(reply("<r:payment kind='A'><r:date>2026-02-30</r:date><r:amount>1</r:amount></r:payment>")));
  REQUIRE_FALSE(bad_date.has_value());
  CHECK(bad_date.error().where == "test/X:/events/0/occurred_at (item 0)");
}

TEST_CASE("no data element means no data, not an error; two are ambiguous") {
  TempDir dir;
  const Mapping mapping = load(dir, "X", kXmlMapping);
  auto none = mapping.apply(parse("<r:reply xmlns:r='urn:reply'/>"));
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_data);
  CHECK(none->events.empty());
  auto two = mapping.apply(parse("<r:reply xmlns:r='urn:reply'><r:data/><r:data/></r:reply>"));
  REQUIRE_FALSE(two.has_value());
  CHECK(two.error().code == "data_ambiguous");
}

namespace {
const char* kBase64JsonMapping = R"({
  "mapping": "test/J", "version": 1,
  "namespaces": {"r": "urn:reply"},
  "data": "/r:reply/r:data",
  "decode": {"xpath": "r:payload", "as": "base64-json"},
  "protected_identity": {"path": "/people/*/protected", "equals": true},
  "events": [{
    "type": "test.payment", "each": "/cases/*/payments/*",
    "occurred_at": {"path": "date", "type": "date"},
    "facts": {
      "amount_ore": {"path": "sum/value", "type": "amount_sek", "required": true},
      "case_started_on": {"path": "../../started", "type": "date"},
      "count": {"path": "n", "type": "integer"}
    }
  }],
  "deviations": {"each": "/problems/*/*", "facts": {"code": {"path": "code", "type": "string", "required": true}}}
})";
}  // namespace

TEST_CASE("a base64 JSON payload is decoded and walked with json paths, amounts exact") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", kBase64JsonMapping);
  const std::string payload = R"({
    "people": [{"protected": false}, {"protected": true}],
    "cases": [{"started": "2025-12-01", "payments": [
      {"date": "2026-01-25", "sum": {"value": 2587.65}, "n": 2},
      {"date": "2026-02-25", "sum": {"value": 1850}},
      {"date": "2026-03-25", "sum": {"value": "0,1"}}]}],
    "problems": {"a": [{"code": "INTERNT_FEL"}], "b": [{"code": "OBEHORIG"}]}})";
  auto result = mapping.apply(parse(reply("<r:payload>" + base64(payload) + "</r:payload>")));
  REQUIRE(result.has_value());
  CHECK(result->protected_identity);
  REQUIRE(result->events.size() == 3);
  CHECK(result->events[0].facts["amount_ore"] == 258765);
  CHECK(result->events[0].facts["case_started_on"] == "2025-12-01");
  CHECK(result->events[0].facts["count"] == 2);
  CHECK(result->events[1].facts["amount_ore"] == 185000);
  CHECK(result->events[2].facts["amount_ore"] == 10);
  CHECK(result->events[2].occurred_at == "2026-03-25");
  REQUIRE(result->deviations.size() == 2);
  CHECK(result->deviations[1]["code"] == "OBEHORIG");
}

TEST_CASE("JSON amounts with more than two decimals and fractional integers are rejected") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", kBase64JsonMapping);
  auto fraction = mapping.apply(
      parse(reply("<r:payload>" + base64(R"({"cases":[{"payments":[{"sum":{"value":1.005}}]}]})") + "</r:payload>")));
  REQUIRE_FALSE(fraction.has_value());
  CHECK(fraction.error().code == "value_invalid");
  auto count = mapping.apply(parse(
      reply("<r:payload>" + base64(R"({"cases":[{"payments":[{"sum":{"value":1},"n":1.5}]}]})") + "</r:payload>")));
  REQUIRE_FALSE(count.has_value());
  CHECK(count.error().code == "value_invalid");
}

TEST_CASE("broken decoded payloads are errors with codes, never exceptions") {
  TempDir dir;
  const Mapping mapping = load(dir, "J", kBase64JsonMapping);
  auto not_base64 = mapping.apply(parse(reply("<r:payload>***</r:payload>")));
  REQUIRE_FALSE(not_base64.has_value());
  CHECK(not_base64.error().code == "payload_malformed");
  auto not_json = mapping.apply(parse(reply("<r:payload>" + base64("{\"a\": ") + "</r:payload>")));
  REQUIRE_FALSE(not_json.has_value());
  CHECK(not_json.error().code == "payload_malformed");
  auto deep = mapping.apply(
      parse(reply("<r:payload>" + base64(std::string(500, '[') + std::string(500, ']')) + "</r:payload>")));
  REQUIRE_FALSE(deep.has_value());
  CHECK(deep.error().code == "payload_malformed");
  auto missing = mapping.apply(parse(reply("")));
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == "value_missing");
  auto big = mapping.apply(parse(reply("<r:payload>" + base64(std::string(2000, ' ')) + "</r:payload>")),
                           knutpunkt::mapping::ApplyLimits{.max_decoded_bytes = 1000});
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().code == "too_large");
}

TEST_CASE("a decoded XML payload gets the same protection as the reply and is schema-checked") {
  TempDir dir;
  dir.write("inner.xsd", R"(<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:inner"
      xmlns:i="urn:inner" elementFormDefault="qualified"><xs:element name="svar"><xs:complexType><xs:sequence>
      <xs:element name="belopp" type="xs:integer" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element></xs:schema>)");
  const Mapping mapping = load(dir, "I", R"({
    "mapping": "test/I", "version": 1,
    "namespaces": {"r": "urn:reply", "i": "urn:inner"},
    "data": "/r:reply/r:data",
    "decode": {"xpath": "r:payload", "as": "base64-xml", "schema": "inner.xsd"},
    "events": [{"type": "test.amount", "each": "i:svar/i:belopp",
                "facts": {"amount_ore": {"path": ".", "type": "amount_sek", "required": true}}}]
  })");
  auto good = mapping.apply(
      parse(reply("<r:payload>" + base64("<svar xmlns='urn:inner'><belopp>893</belopp><belopp>-5</belopp></svar>") +
                  "</r:payload>")));
  REQUIRE(good.has_value());
  REQUIRE(good->events.size() == 2);
  CHECK(good->events[0].facts["amount_ore"] == 89300);
  CHECK(good->events[1].facts["amount_ore"] == -500);

  // A departure from the payload's schema is a deviation, not a failure: the value still has to
  // be what the mapping needs (here an amount, which 8.5 is), and the departure is reported
  // without the value itself.
  auto departing = mapping.apply(parse(
      reply("<r:payload>" + base64("<svar xmlns='urn:inner'><belopp>8.5</belopp><ny>x</ny></svar>") + "</r:payload>")));
  REQUIRE(departing.has_value());
  REQUIRE(departing->events.size() == 1);
  CHECK(departing->events[0].facts["amount_ore"] == 850);
  REQUIRE(departing->deviations.size() == 2);
  CHECK(departing->deviations[0]["kind"] == "invalid_value");
  CHECK(departing->deviations[0]["path"] == "r:payload/svar/belopp");
  CHECK(departing->deviations[0]["detail"].get<std::string>().find("8.5") == std::string::npos);
  CHECK(departing->deviations[1]["kind"] == "unexpected_element");
  CHECK(departing->deviations[1]["path"] == "r:payload/svar/ny");

  auto unreadable = mapping.apply(
      parse(reply("<r:payload>" + base64("<svar xmlns='urn:inner'><belopp>åtta</belopp></svar>") + "</r:payload>")));
  REQUIRE_FALSE(unreadable.has_value());
  CHECK(unreadable.error().code == "value_invalid");

  auto xxe = mapping.apply(parse(reply("<r:payload>" +
                                       base64("<!DOCTYPE svar [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><svar "
                                              "xmlns='urn:inner'><belopp>&e;</belopp></svar>") +
                                       "</r:payload>")));
  REQUIRE_FALSE(xxe.has_value());
  CHECK(xxe.error().code == "payload_malformed");
  CHECK(xxe.error().message.find("dtd_forbidden") != std::string::npos);
}

TEST_CASE("an escaped XML document inside a text element is decoded as xml-text") {
  TempDir dir;
  const Mapping mapping = load(dir, "T", R"({
    "mapping": "test/T", "version": 1,
    "namespaces": {"r": "urn:reply"},
    "data": "/r:reply/r:data",
    "decode": {"xpath": "svar", "as": "xml-text"},
    "events": [{"type": "test.year", "each": "doc/year", "facts": {"year": {"path": "@y", "type": "integer", "required": true}}}]
  })");
  auto result =
      mapping.apply(parse(reply("<svar>&lt;doc&gt;&lt;year y='2024'/&gt;&lt;year y='2025'/&gt;&lt;/doc&gt;</svar>")));
  REQUIRE(result.has_value());
  REQUIRE(result->events.size() == 2);
  CHECK(result->events[1].facts["year"] == 2025);
}
