// Contract versions side by side: a partner answering in two versions of its document is read by
// the mapping written for each, chosen by what the reply says it is, never by a guess.
#include "mapping/versioned_mapping.h"

#include <catch2/catch.hpp>

#include "mapping_test_support.h"
#include "temp_dir.h"

using knutpunkt::mapping::load_versioned_mappings;
using knutpunkt::test_support::TempDir;
using knutpunkt::xml::Document;
using mapping_test::parse;

namespace {

// The same facts in two versions of a document: 3.0 writes the amount in whole kronor under
// another name and namespace.
std::string version_mapping(const std::string& stem, const std::string& ns, const std::string& version,
                            const std::string& amount_element, const std::string& extra = "") {
  return R"J({
    "mapping": "p/)J" +
         stem + R"J(", "version": 1,
    "namespaces": {"r": "urn:reply", "v": ")J" +
         ns + R"J("},
    "data": "/r:reply/r:data",
    "contract": {"name": "kommunfraga", "version": ")J" +
         version + R"J(",
                 "recognised_by": {"xpath": "boolean(v:svar)"})J" +
         extra + R"J(},
    "events": [{"type": "test.payment", "each": "v:svar/v:utbetalning",
                "facts": {"amount_ore": {"path": "v:)J" +
         amount_element + R"J(", "type": "amount_sek", "required": true}}}]
  })J";
}

std::string reply(const std::string& ns, const std::string& payload) {
  return "<r:reply xmlns:r='urn:reply'><r:data><svar xmlns='" + ns + "'>" + payload + "</svar></r:data></r:reply>";
}

}  // namespace

TEST_CASE("each reply is read by the version of the mapping that recognises it") {
  TempDir dir;
  dir.write("CSN.json", version_mapping("CSN", "urn:v4", "4.0", "belopp"));
  dir.write("CSN.3.0.json",
            version_mapping("CSN.3.0", "urn:v3", "3.0", "totbelopp", R"(, "retires_on": "2027-06-30")"));
  auto loaded = load_versioned_mappings(dir.path, dir.path);
  REQUIRE(loaded.has_value());
  REQUIRE(loaded->size() == 1);
  const auto& csn = loaded->at("CSN");
  REQUIRE(csn.versions().size() == 2);

  auto v4 = csn.apply(parse(reply("urn:v4", "<utbetalning><belopp>1250.50</belopp></utbetalning>")));
  REQUIRE(v4.has_value());
  CHECK(v4->contract_version == "4.0");
  REQUIRE(v4->events.size() == 1);
  CHECK(v4->events[0].facts["amount_ore"] == 125050);

  auto v3 = csn.apply(parse(reply("urn:v3", "<utbetalning><totbelopp>1250</totbelopp></utbetalning>")));
  REQUIRE(v3.has_value());
  CHECK(v3->contract_version == "3.0");
  CHECK(v3->events[0].facts["amount_ore"] == 125000);

  bool announced = false;
  for (const auto& version : csn.versions()) announced = announced || version.contract().retires_on == "2027-06-30";
  CHECK(announced);
}

TEST_CASE("a reply no version recognises fails naming what it is, and a required value still fails") {
  TempDir dir;
  dir.write("CSN.json", version_mapping("CSN", "urn:v4", "4.0", "belopp"));
  dir.write("CSN.3.0.json", version_mapping("CSN.3.0", "urn:v3", "3.0", "totbelopp"));
  auto loaded = load_versioned_mappings(dir.path, dir.path);
  REQUIRE(loaded.has_value());
  const auto& csn = loaded->at("CSN");

  auto unknown = csn.apply(parse(reply("urn:v5", "<utbetalning><belopp>1</belopp></utbetalning>")));
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().code == "contract_version_mismatch");
  CHECK(unknown.error().message.find("urn:v5") != std::string::npos);

  auto missing = csn.apply(parse(reply("urn:v4", "<utbetalning><annat>1</annat></utbetalning>")));
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == "value_missing");
}

TEST_CASE("one unversioned mapping is the fallback; two would make the choice a guess") {
  TempDir dir;
  dir.write("CSN.json", R"({"mapping": "p/CSN", "version": 1, "namespaces": {"r": "urn:reply"},
    "data": "/r:reply/r:data", "events": []})");
  dir.write("CSN.3.0.json", version_mapping("CSN.3.0", "urn:v3", "3.0", "totbelopp"));
  auto loaded = load_versioned_mappings(dir.path, dir.path);
  REQUIRE(loaded.has_value());
  const auto& csn = loaded->at("CSN");
  CHECK(csn.versions().front().contract().version == "3.0");  // the recognising version is tried first
  auto fallback = csn.apply(parse(reply("urn:v9", "")));
  REQUIRE(fallback.has_value());
  CHECK(fallback->contract_version.empty());

  dir.write("CSN.old.json", R"({"mapping": "p/CSN.old", "version": 1, "namespaces": {"r": "urn:reply"},
    "data": "/r:reply/r:data", "events": []})");
  auto ambiguous = load_versioned_mappings(dir.path, dir.path);
  REQUIRE_FALSE(ambiguous.has_value());
  CHECK(ambiguous.error().code == "mapping_invalid");
}

TEST_CASE("a contract member is checked when the mapping loads") {
  TempDir dir;
  dir.write("A.json", R"({"mapping": "p/A", "version": 1, "namespaces": {"r": "urn:reply"}, "data": "/r:reply",
    "contract": {"name": "a", "version": "1", "retires_on": "30 June 2027"}, "events": []})");
  auto bad_date = load_versioned_mappings(dir.path, dir.path);
  REQUIRE_FALSE(bad_date.has_value());
  CHECK(bad_date.error().where.ends_with("#/contract/retires_on"));

  dir.write("A.json", R"({"mapping": "p/A", "version": 1, "namespaces": {"r": "urn:reply"}, "data": "/r:reply",
    "contract": {"name": "a"}, "events": []})");
  auto no_version = load_versioned_mappings(dir.path, dir.path);
  REQUIRE_FALSE(no_version.has_value());
  CHECK(no_version.error().where.ends_with("#/contract/version"));
}
