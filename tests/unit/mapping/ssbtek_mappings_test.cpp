// The SSBTEK mappings (mappings/ssbtek/*.json) against the reply fixtures (tests/fixtures/ssbtek/,
// published mode, and its production/ folder). Expected values are the ones written in the
// fixtures (see their README); both modes must give the same facts.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "mapping/mapping.h"
#include "mapping/versioned_mapping.h"

using knutpunkt::mapping::Mapping;
using knutpunkt::mapping::MappingResult;
using knutpunkt::mapping::VersionedMapping;
using knutpunkt::xml::Document;

namespace {

const std::filesystem::path kSsbtekMappings = KNUTPUNKT_SSBTEK_MAPPINGS;
const std::filesystem::path kSsbtekFixtures = KNUTPUNKT_SSBTEK_FIXTURES;
const std::filesystem::path kProduction = kSsbtekFixtures / "production";
const std::filesystem::path kSchemas = KNUTPUNKT_SSBTEK_SCHEMAS;

const std::map<std::string, Mapping>& ssbtek_mappings() {
  static const auto loaded = knutpunkt::mapping::load_mappings(kSsbtekMappings, kSchemas);
  if (!loaded) FAIL(loaded.error().code + " " + loaded.error().where + ": " + loaded.error().message);
  return *loaded;
}

// As the adapter reads replies: every contract version of a source, the one the reply is in picked.
const std::map<std::string, VersionedMapping>& versioned() {
  static const auto loaded = knutpunkt::mapping::load_versioned_mappings(kSsbtekMappings, kSchemas);
  if (!loaded) FAIL(loaded.error().code + " " + loaded.error().where + ": " + loaded.error().message);
  return *loaded;
}

MappingResult map_file(const std::string& source, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto doc = Document::parse(bytes.str());
  if (!doc) FAIL(file.string() + ": " + doc.error().message);
  auto result = versioned().at(source).apply(*doc);
  if (!result)
    FAIL(file.string() + ": " + result.error().code + " " + result.error().where + ": " + result.error().message);
  return std::move(*result);
}

MappingResult map_fixture(const std::string& source, const std::string& fixture) {
  return map_file(source, kSsbtekFixtures / fixture);
}

MappingResult map_production(const std::string& source, const std::string& fixture) {
  return map_file(source, kProduction / fixture);
}

std::size_t count(const MappingResult& result, const std::string& type) {
  return static_cast<std::size_t>(
      std::count_if(result.events.begin(), result.events.end(), [&](const auto& e) { return e.type == type; }));
}

const knutpunkt::mapping::MappedEvent& nth(const MappingResult& result, const std::string& type, std::size_t n) {
  for (const auto& e : result.events) {
    if (e.type == type && n-- == 0) return e;
  }
  FAIL("no such event " + type);
  throw;  // not reached
}

}  // namespace

TEST_CASE("all SSBTEK mappings load: one per source, and CSN in kommunfraga 4.0 and 3.0") {
  const auto& all = ssbtek_mappings();
  for (const char* source : {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"}) {
    INFO(source);
    REQUIRE(all.count(source) == 1);
    CHECK(all.at(source).name() == std::string("ssbtek/") + source);
  }
  REQUIRE(all.count("CSN.3.0") == 1);
  CHECK(all.at("CSN.3.0").name() == "ssbtek/CSN.3.0");
  CHECK(all.size() == 8);

  CHECK(versioned().size() == 7);
  const auto& csn = versioned().at("CSN").versions();
  REQUIRE(csn.size() == 2);
  std::set<std::string> versions;
  for (const auto& version : csn) {
    CHECK(version.contract().name == "csn-kommunfraga");
    CHECK(version.recognises_versions());
    CHECK(version.contract().retires_on.empty());  // CSN has announced no date for 3.0
    versions.insert(version.contract().version);
  }
  CHECK(versions == std::set<std::string>{"3.0", "4.0"});
  CHECK(all.at("SKV").contract().name == "skv-beskattningsuppgifter-sfs2008-975");
  CHECK(all.at("SKV").recognises_versions());
}

TEST_CASE("AF: registration status and the aktivitetsstöd decision") {
  const auto r = map_fixture("AF", "response-AF.xml");
  CHECK(r.has_data);
  CHECK_FALSE(r.protected_identity);
  REQUIRE(r.events.size() == 2);
  const auto& status = nth(r, "employment.registration_status", 0);
  CHECK(status.facts["status_code"] == 1);
  CHECK(status.facts["registered"] == true);
  CHECK(status.facts["job_seeker_category"] == "11");
  CHECK(status.facts["registered_on"] == "2025-11-03");
  CHECK(status.facts["extent_percent"] == 100);
  CHECK(status.facts["latest_activity_report_on"] == "2026-09-14");
  CHECK(status.facts["unemployment_insurance_fund"] == "Unionens arbetslöshetskassa");
  CHECK_FALSE(status.facts.contains("deregistered_on"));
  const auto& decision = nth(r, "employment.benefit_decision", 0);
  CHECK(decision.facts["benefit_type"] == "Aktivitetsstöd");
  CHECK(decision.facts["extent_percent"] == 75);
  CHECK(decision.facts["valid_from"] == "2026-08-01");
  CHECK(decision.facts["valid_to"] == "2026-12-31");
}

TEST_CASE("AF: protected person is flagged; unknown person gives no events; an error element gives no data") {
  CHECK(map_fixture("AF", "response-protected-AF.xml").protected_identity);
  const auto none = map_fixture("AF", "response-nodata-AF.xml");
  CHECK(none.has_data);
  CHECK(none.events.empty());
  CHECK_FALSE(none.protected_identity);
  const auto error = map_fixture("AF", "response-AF-error.xml");
  CHECK_FALSE(error.has_data);
  CHECK(error.events.empty());
}

TEST_CASE("CSN: three studiemedel payments from the base64 payload, in öre with ISO dates") {
  const auto r = map_fixture("CSN", "response-CSN.xml");
  CHECK_FALSE(r.protected_identity);
  REQUIRE(count(r, "study_aid.payment") == 3);
  REQUIRE(r.events.size() == 3);
  const auto& first = r.events[0];
  CHECK(first.occurred_at == "2026-08-25");
  CHECK(first.facts["paid_on"] == "2026-08-25");
  CHECK(first.facts["amount_ore"] == 1134800);
  CHECK(first.facts["support_form"] == "GRUND");
  CHECK(first.facts["case_number"] == "1");
  CHECK(first.facts["payment_status"] == "Utbetald");
  CHECK(first.facts["from_week"] == "202635");
  CHECK(first.facts["to_week"] == "202638");
  CHECK(r.events[2].facts["amount_ore"] == 357200);
  CHECK(r.events[2].facts["paid_on"] == "2026-10-23");
}

TEST_CASE("CSN: a kommunfraga 3.0 answer is read by CSN.3.0 with the facts published mode's 4.0 gives") {
  const auto v3 = map_production("CSN", "response-csn-v3-CSN.xml");
  CHECK(v3.contract_version == "3.0");
  CHECK(v3.deviations.empty());
  CHECK_FALSE(v3.protected_identity);  // 3.0 writes sekretess blank for everyone else
  REQUIRE(v3.events.size() == 2);
  CHECK(v3.events[0].facts["amount_ore"] == 2269600);
  CHECK(v3.events[0].facts["paid_on"] == "2026-08-25");
  CHECK(v3.events[0].facts["case_number"] == "3");
  CHECK(v3.events[1].facts["paid_on"] == "2026-09-25");

  const auto v4 = map_fixture("CSN", "response-csn-v3-CSN.xml");
  CHECK(v4.contract_version == "4.0");
  REQUIRE(v4.events.size() == v3.events.size());
  for (std::size_t i = 0; i < v4.events.size(); ++i) {
    CHECK(v4.events[i].facts == v3.events[i].facts);
    CHECK(v4.events[i].occurred_at == v3.events[i].occurred_at);
  }
  CHECK(map_fixture("CSN", "response-CSN.xml").contract_version == "4.0");
}

TEST_CASE("CSN: sekretess marks the person protected; Ej träff gives no events") {
  CHECK(map_fixture("CSN", "response-protected-CSN.xml").protected_identity);
  const auto none = map_fixture("CSN", "response-nodata-CSN.xml");
  CHECK(none.events.empty());
  CHECK_FALSE(none.protected_identity);
}

TEST_CASE("FK: seven LEFI payments and the bostadsbidrag decision, amounts exact in öre") {
  const auto r = map_fixture("FK", "response-FK.xml");
  CHECK_FALSE(r.protected_identity);
  CHECK(r.deviations.empty());
  REQUIRE(count(r, "benefit.payment") == 7);
  REQUIRE(count(r, "benefit.decision") == 1);
  const auto& bostadsbidrag = nth(r, "benefit.payment", 0);
  CHECK(bostadsbidrag.facts["benefit_family"] == "BOB");
  CHECK(bostadsbidrag.occurred_at == "2026-08-24");
  CHECK(bostadsbidrag.facts["gross_amount_ore"] == 185000);
  CHECK(bostadsbidrag.facts["period_from"] == "2026-08-01");
  const auto& sjukpenning = nth(r, "benefit.payment", 6);
  CHECK(sjukpenning.facts["benefit_family"] == "SJP");
  CHECK(sjukpenning.facts["gross_amount_ore"] == 862550);
  CHECK(sjukpenning.facts["tax_amount_ore"] == 258765);
  CHECK(sjukpenning.facts["net_amount_ore"] == 603785);
  CHECK(sjukpenning.facts["currency"] == "SEK");
  const auto& decision = nth(r, "benefit.decision", 0);
  CHECK(decision.facts["benefit"] == "BOB");
  CHECK(decision.facts["decided_on"] == "2026-01-12");
  CHECK(decision.facts["definitive"] == false);
  CHECK(decision.facts["gross_amount_ore"] == 185000);
  CHECK(decision.facts["case_started_on"] == "2025-12-01");
  CHECK(decision.facts["case_active"] == true);
}

TEST_CASE("FK: skyddad marks the person protected; avvikelser become deviations; empty LEFI gives no events") {
  CHECK(map_fixture("FK", "response-protected-FK.xml").protected_identity);

  const auto deviating = map_fixture("FK", "response-FK-avvikelse.xml");
  REQUIRE(deviating.deviations.size() == 2);
  for (const auto& d : deviating.deviations) {
    CHECK(d["code"] == "INTERNT_FEL");
    CHECK(d["benefit_group"] == "FK:BOB");
  }
  CHECK(count(deviating, "benefit.payment") > 0);  // the other data is still there
  CHECK(count(deviating, "benefit.decision") == 0);

  const auto none = map_fixture("FK", "response-nodata-FK.xml");
  CHECK(none.has_data);
  CHECK(none.events.empty());
  CHECK(none.deviations.empty());
}

TEST_CASE("SKV: one taxation.income per taxeringsår from Skatteverket's document, kronor to öre") {
  const auto r = map_fixture("SKV", "response-SKV.xml");
  CHECK(r.contract_version == "1.0");
  CHECK_FALSE(r.protected_identity);
  CHECK(r.deviations.empty());
  REQUIRE(r.events.size() == 2);
  const auto& first = r.events[0];
  CHECK(first.type == "taxation.income");
  CHECK(first.facts["assessment_year"] == 2025);
  CHECK(first.facts["capital_income_ore"] == 145000);
  CHECK(first.facts["capital_surplus_ore"] == 120000);
  CHECK(first.facts["earned_income_ore"] == 21430000);
  CHECK(first.facts["employment_surplus_ore"] == 21436200);
  CHECK(first.facts["status_code"] == "1");
  const auto& second = r.events[1];
  CHECK(second.facts["assessment_year"] == 2026);
  CHECK(second.facts["capital_income_ore"] == 0);
  CHECK(second.facts["earned_income_ore"] == 16890000);

  CHECK(map_fixture("SKV", "response-nodata-SKV.xml").events.empty());
  const auto swedish = map_fixture("SKV", "response-swedish-names-SKV.xml");
  REQUIRE(swedish.events.size() == 1);
  CHECK(swedish.events[0].facts["capital_surplus_ore"] == 345000);
  // Names are never facts: Öberg-Ärlemyr stays in the payload.
  CHECK(swedish.events[0].facts.dump().find("Öberg") == std::string::npos);
}

TEST_CASE("SKV: Sekretessmarkering J marks the person protected") {
  const auto r = map_fixture("SKV", "response-protected-SKV.xml");
  CHECK(r.protected_identity);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].facts["earned_income_ore"] == 13280000);
}

TEST_CASE("SKV: the document as a real answer carries it, CDATA and only a Kapitaluppgift, still maps") {
  // The shape observed from the real service: one Personuppgift with a status code and capital
  // figures only; the earned-income items are our model's and may be absent.
  const std::string reply =
      "<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body>"
      "<ssbt:hamtaBastjanstInformationResponse xmlns:ssbt='http://schema.forsakringskassan.se/integration/ssbt/10'>"
      "<ssbt:svarsdata><ssbt:SKV><ssbt:data><svar><![CDATA[<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<SvarBeskattningsuppgifterEnligtSFS2008-975"
      " xmlns=\"http://xmls.skatteverket.se/se/skatteverket/zg/instans/standardiseradInformation/1.0\""
      " xmlns:besko=\"http://xmls.skatteverket.se/se/skatteverket/zg/komponent/infoForBeskattning/1.0\""
      " xmlns:folko=\"http://xmls.skatteverket.se/se/skatteverket/zg/komponent/infoForFolkbokforing/1.0\">"
      "<PersonuppgiftLista><Personuppgift>"
      "<folko:IdentitetsbeteckningFysiskPerson>191212121212</folko:IdentitetsbeteckningFysiskPerson>"
      "<folko:Fornamn>Tolvan</folko:Fornamn><folko:Efternamn>Tolvansson</folko:Efternamn>"
      "<StatusPersonuppgiftKod>999</StatusPersonuppgiftKod>"
      "<Kapitaluppgift><besko:Taxeringsar>2001</besko:Taxeringsar>"
      "<besko:SummaIntakterPaKapital>12345</besko:SummaIntakterPaKapital>"
      "<besko:OverskottPaKapital>666</besko:OverskottPaKapital></Kapitaluppgift>"
      "</Personuppgift></PersonuppgiftLista></SvarBeskattningsuppgifterEnligtSFS2008-975>]]></svar>"
      "</ssbt:data></ssbt:SKV></ssbt:svarsdata></ssbt:hamtaBastjanstInformationResponse></soap:Body></soap:Envelope>";
  auto doc = Document::parse(reply);
  REQUIRE(doc);
  auto r = versioned().at("SKV").apply(*doc);
  REQUIRE(r);
  CHECK(r->deviations.empty());
  REQUIRE(r->events.size() == 1);
  CHECK(r->events[0].facts["assessment_year"] == 2001);
  CHECK(r->events[0].facts["capital_income_ore"] == 1234500);
  CHECK(r->events[0].facts["capital_surplus_ore"] == 66600);
  CHECK_FALSE(r->events[0].facts.contains("earned_income_ore"));
  CHECK(r->events[0].facts["status_code"] == "999");
}

TEST_CASE("SO: three a-kassa payments and one suspension") {
  const auto r = map_fixture("SO", "response-SO.xml");
  REQUIRE(count(r, "unemployment_insurance.payment") == 3);
  REQUIRE(count(r, "unemployment_insurance.suspension") == 1);
  const auto& first = nth(r, "unemployment_insurance.payment", 0);
  CHECK(first.facts["fund"] == "Unionens arbetslöshetskassa");
  CHECK(first.occurred_at == "2026-08-05");
  CHECK(first.facts["net_after_tax_ore"] == 1447280);
  CHECK(first.facts["net_after_deductions_ore"] == 1412280);
  CHECK(first.facts["compensation_days"] == "22");
  CHECK(first.facts["period_from"] == "2026-07-01");
  CHECK(nth(r, "unemployment_insurance.payment", 1).facts["net_after_tax_ore"] == 1381495);
  const auto& suspension = nth(r, "unemployment_insurance.suspension", 0);
  CHECK(suspension.facts["suspended_from"] == "2026-09-01");
  CHECK(suspension.facts["suspended_to"] == "2026-09-05");
  CHECK(map_fixture("SO", "response-nodata-SO.xml").events.empty());
}

TEST_CASE("TNS: two owned vehicles; none owned gives no events") {
  const auto r = map_fixture("TNS", "response-TNS.xml");
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].type == "vehicle.ownership");
  CHECK(r.events[0].facts["registration_number"] == "ABC123");
  CHECK(r.events[0].facts["make"] == "VOLVO");
  CHECK(r.events[0].facts["vehicle_kind"] == "PERSONBIL");
  CHECK(r.events[1].facts["vehicle_kind"] == "MOTORCYKEL");
  CHECK(r.deviations.empty());
  CHECK(map_fixture("TNS", "response-nodata-TNS.xml").events.empty());
}

TEST_CASE("MIV: a time-limited and a permanent residence permit") {
  const auto r = map_fixture("MIV", "response-MIV.xml");
  REQUIRE(r.events.size() == 2);
  const auto& limited = r.events[0];
  CHECK(limited.type == "residence_permit.status");
  CHECK(limited.facts["case_type"] == "UT");
  CHECK(limited.facts["validity"] == "TIDBEGRANSAT");
  CHECK(limited.facts["valid_to"] == "2026-04-19");
  CHECK(limited.facts["entered_sweden_on"] == "2019-03-11");
  CHECK(limited.occurred_at == "2024-04-15");
  CHECK(r.events[1].facts["validity"] == "PERMANENT");
  CHECK_FALSE(r.events[1].facts.contains("valid_to"));
  CHECK(map_fixture("MIV", "response-nodata-MIV.xml").events.empty());
  CHECK(map_fixture("MIV", "response-samordningsnummer-MIV.xml").events.size() >= 1);
}

TEST_CASE("the all-sources reply gives each mapping the same events as its single-source reply") {
  for (const char* source : {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"}) {
    INFO(source);
    const auto all = map_fixture(source, "response-all.xml");
    const auto single = map_fixture(source, std::string("response-") + source + ".xml");
    CHECK(all.has_data);
    REQUIRE(all.events.size() == single.events.size());
    for (std::size_t i = 0; i < all.events.size(); ++i) CHECK(all.events[i].facts == single.events[i].facts);
  }
}

TEST_CASE("CSN: a decoded payload that is not well-formed fails without quoting it, in valid UTF-8") {
  std::ifstream in(kSsbtekFixtures / "response-CSN.xml", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string reply = bytes.str();
  // The svar's base64 replaced by XML with bytes that are not UTF-8 in its end tags
  // (</c\xA3n:Namn>, </csn9\xC6\xAC{...>), as a fuzzer found: libxml2 names the second in its
  // message, cut after the \xC6.
  const auto open = reply.find("<ssbt:svar>") + std::string("<ssbt:svar>").size();
  const auto close = reply.find("</ssbt:svar>");
  REQUIRE(close > open);
  reply.replace(open, close - open,
                "PGNzbjpDU05TdmFyIHhtbG5zOmNzbj0iaHR0cDovL3NjaGVtYS5jc24uc2UvdjQuMC9rb21tdW4iPgo8Y3NuOk5hbW4+CjwvY6NuOk5h"
                "bW4+Cjxjc246VGlkPgo8L2NzbjnGrHsKK5FhdGlkZXI+CjwvY3NuOkNTTlN2YXI+");
  auto doc = Document::parse(reply);
  REQUIRE(doc);
  auto result = ssbtek_mappings().at("CSN").apply(*doc);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == "payload_malformed");
  // The audit log's canonical JSON refuses a string that is not UTF-8, and a partner's bytes are
  // not to be quoted anyway.
  CHECK(result.error().message.find("csn9") == std::string::npos);
  CHECK_NOTHROW(nlohmann::json(result.error().message).dump(-1, ' ', false, nlohmann::json::error_handler_t::strict));
}

TEST_CASE("production replies give exactly the facts the published ones give, for every source and fixture") {
  std::size_t compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kProduction)) {
    const auto name = entry.path().filename().string();
    if (entry.path().extension() != ".xml" || name.starts_with("payload-") || name == "fault.xml" ||
        name == "test-response.xml")
      continue;
    for (const char* source : {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"}) {
      const bool single = name.ends_with(std::string("-") + source + ".xml");
      if (!single && name != "response-all.xml") continue;
      INFO(name << " " << source);
      const auto published = map_fixture(source, name);
      const auto production = map_production(source, name);
      CHECK(production.has_data == published.has_data);
      CHECK(production.protected_identity == published.protected_identity);
      CHECK(production.deviations == published.deviations);
      REQUIRE(production.events.size() == published.events.size());
      for (std::size_t i = 0; i < production.events.size(); ++i) {
        CHECK(production.events[i].type == published.events[i].type);
        CHECK(production.events[i].occurred_at == published.events[i].occurred_at);
        CHECK(production.events[i].facts == published.events[i].facts);
      }
      ++compared;
    }
  }
  CHECK(compared >= 29);
}
