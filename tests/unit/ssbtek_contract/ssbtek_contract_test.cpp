// The SSBTEK wire contract in published mode: every fixture the simulator sends then must validate
// against our XSDs, and the XSDs must be strict enough to reject a broken reply. Fixtures are what
// the adapter and the declarative mappings are written against, so a drift between them and the
// schemas fails here. Production-mode fixtures: production_replies_test.cpp.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "contract_support.h"

using namespace ssbtek_contract;

namespace {

const xmlSchema* csn_schema() {
  return schema("csn-svar.xsd");
}
const xmlSchema* skv_schema() {
  return schema("skv-standardiseradinformation-1.0.xsd");
}
const fs::path& kFixtureDir = fixture_dir();

std::vector<fs::path> fixtures(std::string_view contains) {
  return ssbtek_contract::fixtures(fixture_dir(), contains);
}

}  // namespace

TEST_CASE("every SSBTEK fixture's SOAP payload validates against ssbtek-v10.xsd") {
  const auto all = fixtures("");
  // The fixture set is what others write against: losing files silently would weaken every check.
  REQUIRE(all.size() >= 29);
  for (const auto& fixture : all) {
    const Verdict verdict = validate_message(read_file(fixture));
    INFO(fixture.filename().string() << ": " << verdict.errors);
    CHECK(verdict.valid);
  }
}

TEST_CASE("the fault fixture carries hamtaBastjanstInformationFault in a SOAP 1.1 Fault detail") {
  Doc doc = parse_file(kFixtureDir / "fault.xml");
  xmlNode* detail_child = payload_element(doc.get());
  CHECK(is(detail_child, kSsbtNs, "hamtaBastjanstInformationFault"));
  CHECK(text_of(detail_child, "felkod") == "SSBT-900");
}

TEST_CASE("every CSN payload decodes from base64 and validates against csn-svar.xsd") {
  const auto csn = fixtures("CSN");
  REQUIRE(csn.size() >= 3);
  for (const auto& fixture : csn) {
    const std::string decoded = base64_decode(fixture_text(fixture, "svar"));
    INFO(fixture.filename().string());
    REQUIRE_FALSE(decoded.empty());
    const Verdict verdict = validate_document(csn_schema(), decoded);
    INFO(verdict.errors);
    CHECK(verdict.valid);
  }
  const Verdict reader_copy = validate_document(csn_schema(), read_file(kFixtureDir / "payload-CSN.xml"));
  INFO(reader_copy.errors);
  CHECK(reader_copy.valid);
  // The reader's copy is the decoded payload of response-CSN.xml, not a look-alike.
  CHECK(base64_decode(fixture_text(kFixtureDir / "response-CSN.xml", "svar")) ==
        read_file(kFixtureDir / "payload-CSN.xml"));
}

TEST_CASE("published mode answers in kommunfraga 4.0 also for the person CSN answers in 3.0 in production") {
  std::string errors;
  Doc doc = parse(base64_decode(fixture_text(kFixtureDir / "response-csn-v3-CSN.xml", "svar")), errors);
  REQUIRE(doc);
  xmlNode* root = xmlDocGetRootElement(doc.get());
  CHECK(is(root, "http://schema.csn.se/v4.0/kommunfraga", "CSNSvar"));
  xmlChar* version = xmlGetProp(root, BAD_CAST "schemaVersion");
  REQUIRE(version != nullptr);
  CHECK(std::string(reinterpret_cast<const char*>(version)) == "4.0");
  xmlFree(version);
}

TEST_CASE("the protected person's CSN payload carries the sekretess marker") {
  const std::string decoded = base64_decode(fixture_text(kFixtureDir / "response-protected-CSN.xml", "svar"));
  std::string errors;
  Doc doc = parse(decoded, errors);
  REQUIRE(doc);
  xmlNode* person = nullptr;
  for (xmlNode* n = xmlDocGetRootElement(doc.get())->children; n != nullptr && person == nullptr; n = n->next)
    if (xmlStrEqual(n->name, BAD_CAST "Personer")) person = first_element(n->children);
  REQUIRE(person != nullptr);
  xmlChar* sekretess = xmlGetProp(person, BAD_CAST "sekretess");
  REQUIRE(sekretess != nullptr);
  CHECK(std::string(reinterpret_cast<const char*>(sekretess)) == "J");
  xmlFree(sekretess);
}

TEST_CASE("every SKV svar text is Skatteverket's document and validates against our model of it") {
  const auto skv = fixtures("SKV");
  REQUIRE(skv.size() >= 4);
  for (const auto& fixture : skv) {
    const std::string svar = fixture_text(fixture, "svar");
    const Verdict verdict = validate_document(skv_schema(), svar);
    INFO(fixture.filename().string() << ": " << verdict.errors);
    CHECK(verdict.valid);
  }
  CHECK(read_file(kFixtureDir / "payload-SKV.xml") == fixture_text(kFixtureDir / "response-SKV.xml", "svar"));
}

TEST_CASE("SKV: one Personuppgift per taxeringsår; the protected person is marked and unnamed") {
  Doc doc = parse_file(kFixtureDir / "payload-SKV.xml");
  xmlNode* lista = find(xmlDocGetRootElement(doc.get()), "PersonuppgiftLista");
  const auto years = children(lista);
  REQUIRE(years.size() == 2);
  CHECK(text_of(years[0], "Taxeringsar") == "2025");
  CHECK(text_of(find(years[0], "Kapitaluppgift"), "SummaIntakterPaKapital") == "1450");
  CHECK(text_of(find(years[0], "Forvarvsinkomstuppgift"), "FaststalldForvarvsinkomst") == "214300");
  CHECK(text_of(years[1], "Taxeringsar") == "2026");

  std::string errors;
  Doc protected_doc = parse(fixture_text(kFixtureDir / "response-protected-SKV.xml", "svar"), errors);
  REQUIRE(protected_doc);
  xmlNode* root = xmlDocGetRootElement(protected_doc.get());
  CHECK(text_of(root, "Sekretessmarkering") == "J");
  CHECK(find(root, "Fornamn") == nullptr);
  CHECK(find(root, "Efternamn") == nullptr);

  Doc nodata = parse(fixture_text(kFixtureDir / "response-nodata-SKV.xml", "svar"), errors);
  REQUIRE(nodata);
  CHECK(find(xmlDocGetRootElement(nodata.get()), "Kapitaluppgift") == nullptr);
  CHECK(text_of(xmlDocGetRootElement(nodata.get()), "StatusPersonuppgiftKod") == "2");
}

TEST_CASE("an SKV document with a year without Taxeringsar or with kronor in decimals does not validate") {
  const std::string payload = read_file(kFixtureDir / "payload-SKV.xml");
  REQUIRE(validate_document(skv_schema(), payload).valid);
  CHECK_FALSE(
      validate_document(skv_schema(), replace_once(payload, "<besko:Taxeringsar>2025</besko:Taxeringsar>", "")).valid);
  CHECK_FALSE(validate_document(skv_schema(), replace_once(payload, "<besko:SummaIntakterPaKapital>1450<",
                                                           "<besko:SummaIntakterPaKapital>1450.50<"))
                  .valid);
}

TEST_CASE("every FK payload is a LEFI answer in JSON and the protected person is flagged skyddad") {
  for (const auto& fixture : fixtures("FK")) {
    const auto json = nlohmann::json::parse(base64_decode(fixture_text(fixture, "lefiJsonSvar")), nullptr, false);
    INFO(fixture.filename().string());
    REQUIRE_FALSE(json.is_discarded());
    CHECK(json.contains("utlamnare"));
    CHECK(json.contains("formansinformation"));
  }
  const auto lefi =
      nlohmann::json::parse(base64_decode(fixture_text(kFixtureDir / "response-protected-FK.xml", "lefiJsonSvar")));
  CHECK(lefi.at("formansinformation").at("generellPersoninformation").at(0).at("skyddad") == true);
  const auto avvikelse =
      nlohmann::json::parse(base64_decode(fixture_text(kFixtureDir / "response-FK-avvikelse.xml", "lefiJsonSvar")));
  CHECK_FALSE(avvikelse.at("avvikelser").at("utbetalningar").empty());
  CHECK_FALSE(avvikelse.at("formansinformation").at("utbetalningsuppgift").empty());
}

TEST_CASE("Swedish characters survive as UTF-8 in the names fixture") {
  CHECK(fixture_text(kFixtureDir / "response-swedish-names-AF.xml", "Efternamn") == "Öberg-Ärlemyr");
  CHECK(fixture_text(kFixtureDir / "response-swedish-names-AF.xml", "Fornamn") == "Åsa");
}

TEST_CASE("a reply missing a required element does not validate") {
  const std::string af = read_file(kFixtureDir / "response-AF.xml");
  REQUIRE(validate_message(af).valid);
  CHECK_FALSE(validate_message(replace_once(af, "<af:Schemaversion>2.0</af:Schemaversion>", "")).valid);

  const std::string so = read_file(kFixtureDir / "response-SO.xml");
  REQUIRE(validate_message(so).valid);
  CHECK_FALSE(
      validate_message(replace_once(so, "<so:IdentificationNumber>191212121212</so:IdentificationNumber>", "")).valid);
}

TEST_CASE("a source error with an unknown kalla or without felkod does not validate") {
  const std::string error = read_file(kFixtureDir / "response-AF-error.xml");
  REQUIRE(validate_message(error).valid);
  CHECK_FALSE(
      validate_message(replace_once(error, "<ssbt:kalla>BT</ssbt:kalla>", "<ssbt:kalla>XX</ssbt:kalla>")).valid);
  CHECK_FALSE(validate_message(replace_once(error, "<ssbt:felkod>BT-001</ssbt:felkod>", "")).valid);
}

TEST_CASE("a source answering both data and error does not validate") {
  const std::string tns = read_file(kFixtureDir / "response-TNS.xml");
  CHECK_FALSE(
      validate_message(replace_once(tns, "</ssbt:data>",
                                    "</ssbt:data><ssbt:error><ssbt:kalla>BT</ssbt:kalla><ssbt:felkod>1</ssbt:felkod>"
                                    "<ssbt:felmeddelande>x</ssbt:felmeddelande></ssbt:error>"))
          .valid);
}

TEST_CASE("a question with an 11-digit personidentitet or without syfte does not validate") {
  const std::string request = read_file(kFixtureDir / "request-hamtaBastjanstInformation.xml");
  REQUIRE(validate_message(request).valid);
  CHECK_FALSE(validate_message(replace_once(request, "<ssbt:personidentitet>191212121212</ssbt:personidentitet>",
                                            "<ssbt:personidentitet>19121212121</ssbt:personidentitet>"))
                  .valid);
  const auto from = request.find("<ssbt:syfte>");
  const auto to = request.find("</ssbt:syfte>");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  std::string without_syfte = request;
  without_syfte.erase(from, to + std::string_view("</ssbt:syfte>").size() - from);
  CHECK_FALSE(validate_message(without_syfte).valid);
}

TEST_CASE("a CSN payload without its result block does not validate") {
  const std::string payload = read_file(kFixtureDir / "payload-CSN.xml");
  const auto from = payload.find("<csn:GemensamtSvarEkbistand>");
  const auto to = payload.find("</csn:GemensamtSvarEkbistand>");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  std::string broken = payload;
  broken.erase(from, to + std::string_view("</csn:GemensamtSvarEkbistand>").size() - from);
  CHECK_FALSE(validate_document(csn_schema(), broken).valid);
}
