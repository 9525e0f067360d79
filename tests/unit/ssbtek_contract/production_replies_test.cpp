// The SSBTEK wire contract in production mode (tests/fixtures/ssbtek/production): what the simulator
// sends as the real service does must depart from the published XSDs in exactly the documented ways
// (tests/fixtures/ssbtek/README.md) and no others. Each fixture is checked twice: the departures
// are there, and once they are undone the reply validates. A simulator that drifts either way, a
// departure lost or a new one slipped in, fails here.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "contract_support.h"

using namespace ssbtek_contract;

namespace {

constexpr std::string_view kAfNs = "http://api.arbetsformedlingen.se/arbetssokande/ersattningsstod/v2";
constexpr std::string_view kSoNs = "http://INT014.UBPService.Schemas";
constexpr std::string_view kTnsNs = "http://schema.transportstyrelsen.se/ssbtek/hamtauppgifterresponder/1";

// The elements a newer version of a source appends at the end of its data, per source.
const std::map<std::string, std::pair<std::string_view, std::string>> kNewerElements{
    {"SO", {kSoNs, "AntalSvarandeOrganisationer"}},
    {"TNS", {kTnsNs, "antalFordon"}},
    {"MIV", {"", "antalArenden"}},
};

fs::path published(const fs::path& production_fixture) {
  return fixture_dir() / production_fixture.filename();
}

// The data element of `source` in a reply (nullptr when the source answered error or was not asked).
xmlNode* source_data(xmlDoc* doc, std::string_view source) {
  xmlNode* response = payload_element(doc);
  for (xmlNode* section : children(find(response, "svarsdata")))
    if (is(section, kSsbtNs, source)) {
      xmlNode* data = first_element(section->children);
      return is(data, kSsbtNs, "data") ? data : nullptr;
    }
  return nullptr;
}

xmlNode* child_named(xmlNode* parent, std::string_view ns, std::string_view name) {
  for (xmlNode* c : children(parent))
    if (ns.empty() ? (c->ns == nullptr && local_name(c) == name) : is(c, ns, name)) return c;
  return nullptr;
}

// What undo() had to put back or take away, so a test can say which departures a fixture has.
struct Undone {
  std::set<std::string> departures;
};

// Puts back what production leaves out, copied from the published fixture of the same name, and
// takes away what it adds; afterwards the reply must validate.
Undone undo(xmlDoc* production, xmlDoc* published_doc) {
  Undone undone;
  if (xmlNode* data = source_data(production, "AF")) {
    xmlNode* reference = source_data(published_doc, "AF");
    REQUIRE(reference != nullptr);
    xmlNode* svar = child_named(data, kAfNs, "Svar");
    REQUIRE(svar != nullptr);
    if (child_named(data, kAfNs, "Fraga") == nullptr) {
      xmlAddPrevSibling(svar, xmlDocCopyNode(child_named(reference, kAfNs, "Fraga"), production, 1));
      undone.departures.insert("AF Fraga");
    }
    if (child_named(svar, kAfNs, "LagParagraf") == nullptr) {
      xmlNode* lag = child_named(child_named(reference, kAfNs, "Svar"), kAfNs, "LagParagraf");
      xmlAddNextSibling(child_named(svar, kAfNs, "Referensnummer"), xmlDocCopyNode(lag, production, 1));
      undone.departures.insert("AF Svar/LagParagraf");
    }
  }
  if (xmlNode* data = source_data(production, "SO")) {
    xmlNode* reference = source_data(published_doc, "SO");
    REQUIRE(reference != nullptr);
    xmlNode* identification = child_named(data, kSoNs, "IdentificationNumber");
    REQUIRE(identification != nullptr);
    if (first_element(data->children) == identification) {
      for (xmlNode* echoed : children(reference)) {
        if (local_name(echoed) == "IdentificationNumber") break;
        xmlAddPrevSibling(identification, xmlDocCopyNode(echoed, production, 1));
      }
      undone.departures.insert("SO echo");
    }
  }
  for (const auto& [source, element] : kNewerElements) {
    xmlNode* data = source_data(production, source);
    if (data == nullptr) continue;
    const auto all = children(data);
    REQUIRE_FALSE(all.empty());
    xmlNode* last = all.back();
    if (child_named(data, element.first, element.second) == last) {
      xmlUnlinkNode(last);
      xmlFreeNode(last);
      undone.departures.insert(source + " newer element");
    }
  }
  return undone;
}

std::string svar_of(xmlDoc* doc, std::string_view source) {
  return text(first_element(source_data(doc, source)->children));
}

}  // namespace

TEST_CASE("production mode answers every question the published fixtures answer") {
  const auto published_set = fixtures(fixture_dir(), "");
  REQUIRE(published_set.size() >= 29);
  for (const auto& fixture : published_set) {
    const auto name = fixture.filename().string();
    if (name.starts_with("request-")) continue;
    INFO(name);
    CHECK(fs::exists(production_dir() / name));
  }
}

TEST_CASE("every production reply is SOAP 1.1 with a Header and the sender's own prefixes") {
  const auto all = fixtures(production_dir(), "");
  REQUIRE(all.size() >= 27);
  for (const auto& fixture : all) {
    INFO(fixture.filename().string());
    Doc doc = parse_file(fixture);
    xmlNode* envelope = xmlDocGetRootElement(doc.get());
    REQUIRE(is(envelope, kSoapNs, "Envelope"));
    CHECK(std::string(reinterpret_cast<const char*>(envelope->ns->prefix)) == "S");
    const auto parts = children(envelope);
    REQUIRE(parts.size() == 2);
    CHECK(is(parts[0], kSoapNs, "Header"));
    CHECK(is(parts[1], kSoapNs, "Body"));
    xmlNode* payload = payload_element(doc.get());
    REQUIRE(payload != nullptr);
    CHECK(std::string(reinterpret_cast<const char*>(payload->ns->prefix)) == "ns2");
  }
  Doc fault = parse_file(production_dir() / "fault.xml");
  CHECK(text_of(xmlDocGetRootElement(fault.get()), "faultcode") == "S:Server");
}

TEST_CASE("a production reply validates once its documented departures are undone, and only then") {
  for (const auto& fixture : fixtures(production_dir(), "")) {
    const auto name = fixture.filename().string();
    INFO(name);
    Doc production = parse_file(fixture);
    Doc reference = parse_file(published(fixture));
    const Verdict as_sent = validate_message(production.get());
    const Undone undone = undo(production.get(), reference.get());
    const Verdict repaired = validate_message(production.get());
    INFO(repaired.errors);
    CHECK(repaired.valid);
    // A reply that needed nothing undone is one whose departures the schema admits (prefixes, a
    // Header, CDATA, offsets, decimals, line-broken base64); one that needed something must not
    // have validated as sent.
    CHECK(as_sent.valid == undone.departures.empty());
  }
}

TEST_CASE("each source departs in the documented ways") {
  auto departures_of = [](const std::string& name) {
    Doc production = parse_file(production_dir() / name);
    Doc reference = parse_file(fixture_dir() / name);
    return undo(production.get(), reference.get()).departures;
  };
  CHECK(departures_of("response-AF.xml") == std::set<std::string>{"AF Fraga", "AF Svar/LagParagraf"});
  CHECK(departures_of("response-nodata-AF.xml") == std::set<std::string>{"AF Fraga", "AF Svar/LagParagraf"});
  CHECK(departures_of("response-SO.xml") == std::set<std::string>{"SO echo", "SO newer element"});
  CHECK(departures_of("response-TNS.xml") == std::set<std::string>{"TNS newer element"});
  CHECK(departures_of("response-MIV.xml") == std::set<std::string>{"MIV newer element"});
  CHECK(departures_of("response-nodata-MIV.xml") == std::set<std::string>{"MIV newer element"});
  CHECK(departures_of("response-all.xml") == std::set<std::string>{"AF Fraga", "AF Svar/LagParagraf", "SO echo",
                                                                   "SO newer element", "TNS newer element",
                                                                   "MIV newer element"});
  for (const char* name : {"response-CSN.xml", "response-FK.xml", "response-SKV.xml", "response-AF-error.xml",
                           "fault.xml", "test-response.xml"})
    CHECK(departures_of(name).empty());

  Doc all = parse_file(production_dir() / "response-all.xml");
  CHECK(text_of(source_data(all.get(), "SO"), "AntalSvarandeOrganisationer") == "1");
  CHECK(text_of(source_data(all.get(), "TNS"), "antalFordon") == "2");
  CHECK(text_of(source_data(all.get(), "MIV"), "antalArenden") == "2");
}

TEST_CASE("production dates carry Stockholm's offset of that day and name the same calendar date") {
  Doc production = parse_file(production_dir() / "response-all.xml");
  Doc reference = parse_file(fixture_dir() / "response-all.xml");
  xmlNode* p = xmlDocGetRootElement(production.get());
  xmlNode* r = xmlDocGetRootElement(reference.get());
  CHECK(text_of(p, "ArbetssokandeRegistrerad") == "2025-11-03+01:00");  // winter time
  CHECK(text_of(r, "ArbetssokandeRegistrerad") == "2025-11-03");
  CHECK(text_of(p, "BeslutFrom") == "2026-08-01+02:00");  // summer time
  CHECK(text_of(p, "Utbetalningsdatum") == "2026-08-05+02:00");
  CHECK(text_of(p, "inresedatum") == "2019-03-11+01:00");
  for (const char* element : {"BeslutTom", "AvserFrom", "AvstangdTom", "ansokningsdatum", "beslutsdatum"})
    CHECK(text_of(p, element).substr(0, 10) == text_of(r, element));
}

TEST_CASE("production amounts have two decimals; the value is the published one") {
  Doc production = parse_file(production_dir() / "response-SO.xml");
  Doc reference = parse_file(fixture_dir() / "response-SO.xml");
  CHECK(text_of(xmlDocGetRootElement(production.get()), "NettoEfterSkatt") == "14472.80");
  CHECK(text_of(xmlDocGetRootElement(reference.get()), "NettoEfterSkatt") == "14472.8");
}

TEST_CASE("production SKV sends Skatteverket's document with its declaration in a CDATA section") {
  Doc production = parse_file(production_dir() / "response-SKV.xml");
  xmlNode* svar = first_element(source_data(production.get(), "SKV")->children);
  REQUIRE(svar != nullptr);
  CHECK(svar->ns == nullptr);
  REQUIRE(svar->children != nullptr);
  CHECK(svar->children->type == XML_CDATA_SECTION_NODE);
  const std::string document = text(svar);
  CHECK(read_file(production_dir() / "payload-SKV.xml") == document);
  // The same document as published mode's escaped text, plus the declaration.
  const std::string published_text = fixture_text(fixture_dir() / "response-SKV.xml", "svar");
  CHECK(document == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + published_text + "\n");
  for (const auto& fixture : fixtures(production_dir(), "SKV")) {
    INFO(fixture.filename().string());
    Doc doc = parse_file(fixture);
    const Verdict verdict =
        validate_document(schema("skv-standardiseradinformation-1.0.xsd"), svar_of(doc.get(), "SKV"));
    INFO(verdict.errors);
    CHECK(verdict.valid);
  }
}

TEST_CASE("production base64 comes in lines and decodes to the published payload for FK and CSN 4.0") {
  for (const auto& [name, source] :
       std::map<std::string, std::string>{{"response-FK.xml", "FK"}, {"response-CSN.xml", "CSN"}}) {
    INFO(name);
    Doc production = parse_file(production_dir() / name);
    Doc reference = parse_file(fixture_dir() / name);
    const std::string lines = svar_of(production.get(), source);
    CHECK(lines.find('\n') != std::string::npos);
    const std::string decoded = base64_decode(lines);
    if (source == "FK") {
      CHECK(nlohmann::json::parse(decoded) == nlohmann::json::parse(base64_decode(svar_of(reference.get(), source))));
    } else {
      const Verdict verdict = validate_document(schema("csn-svar.xsd"), decoded);
      INFO(verdict.errors);
      CHECK(verdict.valid);
    }
  }
}

TEST_CASE("CSN answers the 3.0 person in kommunfraga 3.0, which validates only against the 3.0 model") {
  Doc production = parse_file(production_dir() / "response-csn-v3-CSN.xml");
  const std::string decoded = base64_decode(svar_of(production.get(), "CSN"));
  CHECK(read_file(production_dir() / "payload-csn-v3-CSN.xml") == decoded);
  std::string errors;
  Doc payload = parse(decoded, errors);
  REQUIRE(payload);
  xmlNode* root = xmlDocGetRootElement(payload.get());
  CHECK(is(root, "http://schema.csn.se/v3.0/kommunfraga", "CSNSvar"));
  CHECK(root->ns->prefix == nullptr);  // the default namespace, as CSN's stack writes it
  xmlChar* version = xmlGetProp(root, BAD_CAST "schemaVersion");
  REQUIRE(version != nullptr);
  CHECK(std::string(reinterpret_cast<const char*>(version)) == "3.0");
  xmlFree(version);
  CHECK(find(root, "omstallningsstudiestod") == nullptr);
  CHECK(find(root, "Omstallningsstudiestod") == nullptr);

  const Verdict v3 = validate_document(schema("csn-v3-svar.xsd"), decoded);
  INFO(v3.errors);
  CHECK(v3.valid);
  CHECK_FALSE(validate_document(schema("csn-svar.xsd"), decoded).valid);
  // Omställningsstudiestöd did not exist before 4.0: a 3.0 answer naming it is not 3.0.
  CHECK_FALSE(validate_document(schema("csn-v3-svar.xsd"),
                                replace_once(decoded, "</ns5:Studiestodstypforteckning>",
                                             "<ns4:omstallningsstudiestod>N</ns4:omstallningsstudiestod>"
                                             "</ns5:Studiestodstypforteckning>"))
                  .valid);
  // Every other production CSN reply is 4.0.
  for (const auto& fixture : fixtures(production_dir(), "CSN")) {
    if (fixture.filename() == "response-csn-v3-CSN.xml") continue;
    INFO(fixture.filename().string());
    Doc doc = parse_file(fixture);
    const Verdict verdict = validate_document(schema("csn-svar.xsd"), base64_decode(svar_of(doc.get(), "CSN")));
    INFO(verdict.errors);
    CHECK(verdict.valid);
  }
}
