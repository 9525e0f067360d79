// The real Jobbtorg mappings (mappings/jobbtorg/) against the fixtures (tests/fixtures/jobbtorg/),
// which schemas/jobbtorg/ describes: every report type's exact facts, and the anvisning rendered
// from an internal referral.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "mapping/json_vocabulary.h"
#include "mapping/mapping.h"
#include "mapping/outbound_template.h"

using knutpunkt::mapping::load_mappings;
using knutpunkt::mapping::load_outbound_templates;
using knutpunkt::mapping::Mapping;
using knutpunkt::mapping::MappingResult;
using knutpunkt::mapping::OutboundTemplate;
using nlohmann::json;

namespace {

const std::filesystem::path kJobbtorgMappings = KNUTPUNKT_JOBBTORG_MAPPINGS;
const std::filesystem::path kJobbtorgFixtures = KNUTPUNKT_JOBBTORG_FIXTURES;
const std::string kReferral = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e";

json fixture(const std::string& name) {
  std::ifstream in(kJobbtorgFixtures / name, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return json::parse(buffer.str());
}

const std::map<std::string, Mapping>& jobbtorg_mappings() {
  static const auto loaded = [] {
    auto all = load_mappings(kJobbtorgMappings, knutpunkt::mapping::published_schema_dir(kJobbtorgMappings));
    if (!all) FAIL(all.error().where + ": " + all.error().message);
    return std::move(*all);
  }();
  return loaded;
}

MappingResult apply(const std::string& typ, const json& report) {
  const auto found = jobbtorg_mappings().find(typ);
  REQUIRE(found != jobbtorg_mappings().end());
  auto result = found->second.apply(report);
  if (!result) FAIL(result.error().code + " " + result.error().where + " field " + result.error().field);
  return std::move(*result);
}

MappingResult apply_fixture(const std::string& typ) {
  const json report = fixture("reports/" + typ + ".json");
  REQUIRE(report["typ"] == typ);
  return apply(typ, report);
}

// The source of the unit's BEDOMNING (enhetens_bedomning.json) for its IB part 1 with `results`.
json unit_ib_part1(json results) {
  return {{"message_id", "m-1"},          {"referral_id", "r-1"},         {"sent_at", "2026-11-24T09:15:02.120Z"},
          {"assessment_id", "a-1"},       {"instrument", "IB"},           {"part", "DEL1"},
          {"completed_on", "2026-11-20"}, {"results", std::move(results)}};
}

}  // namespace

TEST_CASE("every Jobbtorg report type has a JSON-input mapping and the anvisning is not one of them") {
  const std::vector<std::string> types = {"INSKRIVNING", "EJ_INSKRIVEN", "FORSTA_BESOK", "IB_DEL2_KLAR", "NARVARO",
                                          "AVBROTT",     "AVSLUT",       "UPPFOLJNING",  "BEDOMNING"};
  CHECK(jobbtorg_mappings().size() == types.size());
  for (const auto& typ : types) {
    INFO(typ);
    REQUIRE(jobbtorg_mappings().contains(typ));
    CHECK(jobbtorg_mappings().at(typ).json_input());
    CHECK(jobbtorg_mappings().at(typ).name() == "jobbtorg/" + typ);
  }
}

TEST_CASE("INSKRIVNING becomes referral.accepted on the enrolment date") {
  const auto result = apply_fixture("INSKRIVNING");
  CHECK(result.has_data);
  CHECK_FALSE(result.protected_identity);
  REQUIRE(result.events.size() == 1);
  CHECK(result.events[0].type == "referral.accepted");
  CHECK(result.events[0].occurred_at == "2026-12-01");
  CHECK(result.events[0].facts == json{{"referral_id", kReferral},
                                       {"enrolled_on", "2026-12-01"},
                                       {"jobbtorg_reference", "JT-2026-5531"},
                                       {"contact_person", "Ali Coach"},
                                       {"planned_followup", "2027-01-15"}});
}

TEST_CASE("an INSKRIVNING without a planned follow-up has no planned_followup fact") {
  json report = fixture("reports/INSKRIVNING.json");
  report["inskrivning"].erase("planeradUppfoljning");
  const auto result = jobbtorg_mappings().at("INSKRIVNING").apply(report);
  REQUIRE(result.has_value());
  REQUIRE(result->events.size() == 1);
  CHECK_FALSE(result->events[0].facts.contains("planned_followup"));
}

TEST_CASE("UPPFOLJNING becomes referral.plan_followed_up with the next planned follow-up") {
  const auto result = apply_fixture("UPPFOLJNING");
  REQUIRE(result.events.size() == 1);
  CHECK(result.events[0].type == "referral.plan_followed_up");
  CHECK(result.events[0].occurred_at == "2027-01-15");
  CHECK(result.events[0].facts ==
        json{{"referral_id", kReferral}, {"date", "2027-01-15"}, {"planned_followup", "2027-03-01"}});
}

TEST_CASE("BEDOMNING becomes one assessment.result with the coded category of each assessed item") {
  const auto result = apply_fixture("BEDOMNING");
  REQUIRE(result.events.size() == 1);
  CHECK(result.events[0].type == "assessment.result");
  CHECK(result.events[0].occurred_at == "2026-12-10");
  CHECK(result.events[0].facts == json{{"referral_id", kReferral},
                                       {"instrument", "IB"},
                                       {"part", "DEL2"},
                                       {"organisation", "jobbtorg"},
                                       {"completed_on", "2026-12-10"},
                                       {"work_capacity", "VISST_HINDER"},
                                       {"work_experience", "STORT_HINDER"},
                                       {"swedish_language", "INGET_HINDER"},
                                       {"education_level", "GYMNASIAL"}});
}

TEST_CASE("BEDOMNING codes come from the published code lists: a category outside them is refused naming the field") {
  json report = fixture("reports/BEDOMNING.json");
  report["bedomning"]["resultat"]["MOTIVATION"] = "GANSKA_BRA";
  auto result = jobbtorg_mappings().at("BEDOMNING").apply(report);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == "value_invalid");
  CHECK(result.error().field == "/bedomning/resultat/MOTIVATION");

  report = fixture("reports/BEDOMNING.json");
  report["bedomning"]["instrument"] = "X";
  result = jobbtorg_mappings().at("BEDOMNING").apply(report);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().field == "/bedomning/instrument");
}

TEST_CASE("the report schema's assessment codes are the code lists' codes") {
  const json lists = fixture("../../../schemas/jobbtorg/assessment-codes.json")["lists"];
  const json schema = fixture("../../../schemas/jobbtorg/report.schema.json")["$defs"];
  const auto codes_of = [&](const std::string& name) {
    std::set<std::string> out;
    for (const json& c : lists[name]["codes"]) out.insert(c["code"].get<std::string>());
    return out;
  };
  const auto enum_of = [](const json& e) { return e.get<std::set<std::string>>(); };
  CHECK(enum_of(schema["bedomning"]["properties"]["instrument"]["enum"]) == codes_of("instrument"));
  CHECK(enum_of(schema["bedomningskategori"]["enum"]) == codes_of("category"));
  CHECK(enum_of(schema["bedomning"]["properties"]["resultat"]["properties"]["UTBILDNINGSNIVA"]["enum"]) ==
        codes_of("education_level"));
  std::set<std::string> items;
  for (const auto& entry : schema["bedomning"]["properties"]["resultat"]["properties"].items()) {
    items.insert(entry.key());
  }
  CHECK(items == codes_of("item"));
  for (const std::string& part : enum_of(schema["bedomning"]["properties"]["del"]["enum"])) {
    CHECK(codes_of("part").contains(part));
  }
}

TEST_CASE("EJ_INSKRIVEN becomes referral.rejected at the report's tidpunkt") {
  const auto result = apply_fixture("EJ_INSKRIVEN");
  REQUIRE(result.events.size() == 1);
  CHECK(result.events[0].type == "referral.rejected");
  CHECK(result.events[0].occurred_at == "2026-12-03T15:45:10+01:00");
  CHECK(result.events[0].facts == json{{"referral_id", kReferral}, {"reason", "UTEBLEV"}});
}

TEST_CASE("FORSTA_BESOK becomes referral.first_visit") {
  const auto result = apply_fixture("FORSTA_BESOK");
  REQUIRE(result.events.size() == 1);
  CHECK(result.events[0].type == "referral.first_visit");
  CHECK(result.events[0].occurred_at == "2026-12-02");
  CHECK(result.events[0].facts == json{{"referral_id", kReferral}, {"date", "2026-12-02"}, {"completed", true}});
}

TEST_CASE("IB_DEL2_KLAR becomes assessment.part_completed for IB part 2 by jobbtorg") {
  const auto result = apply_fixture("IB_DEL2_KLAR");
  REQUIRE(result.events.size() == 1);
  CHECK(result.events[0].type == "assessment.part_completed");
  CHECK(result.events[0].occurred_at == "2026-12-17");
  CHECK(result.events[0].facts == json{{"referral_id", kReferral},
                                       {"instrument", "IB"},
                                       {"part", 2},
                                       {"organisation", "jobbtorg"},
                                       {"completed_on", "2026-12-17"}});
}

TEST_CASE("NARVARO becomes one referral.attendance per day, hours as exact decimal text") {
  const auto result = apply_fixture("NARVARO");
  REQUIRE(result.events.size() == 4);
  for (const auto& event : result.events) CHECK(event.type == "referral.attendance");
  const json period = {{"referral_id", kReferral}, {"period_from", "2026-12-01"}, {"period_to", "2026-12-05"}};
  auto with = [&](json facts) {
    facts.update(period);
    return facts;
  };
  CHECK(result.events[0].occurred_at == "2026-12-01");
  CHECK(result.events[0].facts == with({{"date", "2026-12-01"}, {"attendance", "NARVARANDE"}, {"hours", "4"}}));
  CHECK(result.events[1].occurred_at == "2026-12-02");
  CHECK(result.events[1].facts == with({{"date", "2026-12-02"},
                                        {"attendance", "FRANVARANDE"},
                                        {"hours", "0"},
                                        {"absence_reason", "SJUK"},
                                        {"absence_reported", true}}));
  CHECK(result.events[2].facts == with({{"date", "2026-12-03"}, {"attendance", "NARVARANDE"}, {"hours", "2.5"}}));
  CHECK(result.events[3].facts == with({{"date", "2026-12-04"},
                                        {"attendance", "FRANVARANDE"},
                                        {"absence_reason", "OGILTIG"},
                                        {"absence_reported", false}}));
}

TEST_CASE("a corrected NARVARO day carries Jobbtorg's planned hours, version and correction mark") {
  const json report = fixture("corrections/NARVARO-korrigering.json");
  const auto result = (apply)("NARVARO", report);  // not std::apply
  REQUIRE(result.events.size() == 1);
  CHECK(result.events[0].type == "referral.attendance");
  CHECK(result.events[0].facts == json{{"referral_id", kReferral},
                                       {"period_from", "2026-12-01"},
                                       {"period_to", "2026-12-05"},
                                       {"date", "2026-12-03"},
                                       {"attendance", "FRANVARANDE"},
                                       {"hours", "0"},
                                       {"planned_hours", "4.5"},
                                       {"absence_reason", "VAB"},
                                       {"absence_reported", true},
                                       {"version", 2},
                                       {"corrected", true}});
}

TEST_CASE("AVBROTT and AVSLUT become referral.ended with their ending and reason") {
  const auto avbrott = apply_fixture("AVBROTT");
  REQUIRE(avbrott.events.size() == 1);
  CHECK(avbrott.events[0].type == "referral.ended");
  CHECK(avbrott.events[0].occurred_at == "2027-01-14");
  CHECK(avbrott.events[0].facts == json{{"referral_id", kReferral},
                                        {"ending", "avbrott"},
                                        {"ended_on", "2027-01-14"},
                                        {"reason", "UPPREPAD_FRANVARO"}});
  const auto avslut = apply_fixture("AVSLUT");
  REQUIRE(avslut.events.size() == 1);
  CHECK(avslut.events[0].type == "referral.ended");
  CHECK(avslut.events[0].occurred_at == "2027-03-31");
  CHECK(avslut.events[0].facts ==
        json{{"referral_id", kReferral}, {"ending", "avslut"}, {"ended_on", "2027-03-31"}, {"reason", "ARBETE"}});
}

TEST_CASE("a Jobbtorg report missing a required field is refused naming the message pointer") {
  struct Case {
    std::string typ;
    std::string remove;  // JSON pointer into the report
  };
  const std::vector<Case> cases = {
      {"INSKRIVNING", "/inskrivning/jobbtorgReferens"},
      {"INSKRIVNING", "/anvisningsId"},
      {"INSKRIVNING", "/tidpunkt"},
      {"EJ_INSKRIVEN", "/ejInskriven/orsak"},
      {"FORSTA_BESOK", "/forstaBesok/genomfort"},
      {"IB_DEL2_KLAR", "/ibDel2/datum"},
      {"NARVARO", "/narvaro/dagar/1/datum"},
      {"NARVARO", "/narvaro/dagar/3/status"},
      {"NARVARO", "/narvaro/periodTom"},
      {"AVBROTT", "/avbrott/orsak"},
      {"AVSLUT", "/avslut/datum"},
  };
  for (const auto& c : cases) {
    INFO(c.typ + " without " + c.remove);
    json report = fixture("reports/" + c.typ + ".json");
    const json::json_pointer pointer(c.remove);
    report[pointer.parent_pointer()].erase(pointer.back());
    auto result = jobbtorg_mappings().at(c.typ).apply(report);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == "value_missing");
    CHECK(result.error().field == c.remove);
  }
}

TEST_CASE("a Jobbtorg report whose whole extra object is missing names the first field expected in it") {
  json report = fixture("reports/AVSLUT.json");
  report.erase("avslut");
  auto result = jobbtorg_mappings().at("AVSLUT").apply(report);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == "value_missing");
  CHECK(result.error().field.starts_with("/avslut/"));

  json narvaro = fixture("reports/NARVARO.json");
  narvaro["narvaro"]["dagar"] = json::array();
  auto no_days = jobbtorg_mappings().at("NARVARO").apply(narvaro);
  REQUIRE_FALSE(no_days.has_value());
  CHECK(no_days.error().code == "value_missing");
  CHECK(no_days.error().field == "/narvaro/dagar");
}

TEST_CASE("codes outside Jobbtorg's code lists are refused naming the field") {
  struct Case {
    std::string typ;
    std::string field;
    json value;
  };
  const std::vector<Case> cases = {
      {"NARVARO", "/narvaro/dagar/1/franvaroorsak", "SEMESTER"},
      {"NARVARO", "/narvaro/dagar/0/status", "DELVIS"},
      {"EJ_INSKRIVEN", "/ejInskriven/orsak", "ANNAT"},
      {"AVSLUT", "/avslut/orsak", "arbete"},
      {"NARVARO", "/narvaro/dagar/0/timmar", "fyra"},
      {"FORSTA_BESOK", "/forstaBesok/genomfort", "ja"},
      {"INSKRIVNING", "/tidpunkt", "2026-12-01"},
  };
  for (const auto& c : cases) {
    INFO(c.field);
    json report = fixture("reports/" + c.typ + ".json");
    report[json::json_pointer(c.field)] = c.value;
    auto result = jobbtorg_mappings().at(c.typ).apply(report);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == "value_invalid");
    CHECK(result.error().field == c.field);
    CHECK(result.error().message.find(c.value.get<std::string>()) == std::string::npos);
  }
}

TEST_CASE("the anvisning template renders the README's anvisning from a full referral") {
  auto templates = load_outbound_templates(kJobbtorgMappings);
  REQUIRE(templates.has_value());
  // The anvisning, and the meddelanden about it: a change, a withdrawal, a decision, the unit's
  // assessment result.
  REQUIRE(templates->size() == 5);
  const OutboundTemplate& anvisning = templates->at("anvisning");
  CHECK(anvisning.name() == "jobbtorg/anvisning");
  auto body = anvisning.render(fixture("referral.json"));
  REQUIRE(body.has_value());
  CHECK(*body == fixture("anvisning.json"));
}

TEST_CASE("the anvisning of a minimal referral leaves out the optional members") {
  auto anvisning = OutboundTemplate::load(kJobbtorgMappings / "anvisning.json");
  REQUIRE(anvisning.has_value());
  auto body = anvisning->render(fixture("referral-minimal.json"));
  REQUIRE(body.has_value());
  CHECK(*body == fixture("anvisning-minimal.json"));
  CHECK_FALSE(body->contains("ibDel1"));
  CHECK(body->at("anvisandeHandlaggare") == json{{"id", "hl-4712"}});
}

TEST_CASE("IB part 1's coded results go in ibDel1 as resultat, shaped as the unit's BEDOMNING, and only when given") {
  auto templates = load_outbound_templates(kJobbtorgMappings);
  REQUIRE(templates.has_value());
  const json referral = fixture("referral.json");
  auto body = templates->at("anvisning").render(referral);
  REQUIRE(body.has_value());
  auto bedomning = templates->at("enhetens_bedomning").render(unit_ib_part1(referral["ib_part1"]["results"]));
  REQUIRE(bedomning.has_value());
  CHECK((*body)["ibDel1"]["resultat"] == (*bedomning)["bedomning"]["resultat"]);
  CHECK((*body)["ibDel1"]["resultat"]["EKONOMI_SKULDER"] == "STORT_HINDER");

  json without = referral;
  without["ib_part1"].erase("results");
  body = templates->at("anvisning").render(without);
  REQUIRE(body.has_value());
  CHECK((*body)["ibDel1"] == json{{"genomford", "2026-11-20"}, {"sammanfattning", "Kort text från mottagningen"}});
}

TEST_CASE("a referral missing a required field is refused naming the source pointer") {
  auto anvisning = OutboundTemplate::load(kJobbtorgMappings / "anvisning.json");
  REQUIRE(anvisning.has_value());
  for (const std::string remove : {"/person/person_id", "/person/protected_identity", "/consent_reference",
                                   "/caseworker/id", "/start_date", "/extent_hours_per_week"}) {
    INFO(remove);
    json referral = fixture("referral.json");
    const json::json_pointer pointer(remove);
    referral[pointer.parent_pointer()].erase(pointer.back());
    auto body = anvisning->render(referral);
    REQUIRE_FALSE(body.has_value());
    CHECK(body.error().code == "value_missing");
    CHECK(body.error().field == remove);
  }
  json referral = fixture("referral.json");
  referral["extent_hours_per_week"] = "20";
  auto body = anvisning->render(referral);
  REQUIRE_FALSE(body.has_value());
  CHECK(body.error().code == "value_invalid");
  CHECK(body.error().field == "/extent_hours_per_week");
}

TEST_CASE("a change carries only what changed, a withdrawal nothing about the person, a decision its period") {
  auto templates = load_outbound_templates(kJobbtorgMappings);
  REQUIRE(templates.has_value());
  const nlohmann::json base = {{"message_id", "0b0f6c2e-8a55-4b1e-9d51-3f0b7c1d2e10"},
                               {"referral_id", "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"},
                               {"sent_at", "2026-11-24T09:15:02.120Z"}};
  auto change = base;
  change["version"] = 2;
  change["changes"] = {{"extent_hours_per_week", 30}, {"caseworker", {{"id", "hl-2"}}}};
  const auto andring = templates->at("andring").render(change);
  REQUIRE(andring.has_value());
  CHECK(*andring ==
        nlohmann::json{{"meddelandeId", base["message_id"]},
                       {"anvisningsId", base["referral_id"]},
                       {"typ", "ANVISNING_ANDRAD"},
                       {"skickad", base["sent_at"]},
                       {"version", 2},
                       {"andringar", {{"omfattningTimmarPerVecka", 30}, {"anvisandeHandlaggare", {{"id", "hl-2"}}}}}});

  auto withdrawal = base;
  withdrawal["version"] = 3;
  withdrawal["reason"] = "SAMTYCKE_ATERKALLAT";
  // Whatever else the source holds stays out: the template names no personal data.
  withdrawal["person"] = {{"person_id", "191212121212"}};
  const auto aterkallelse = templates->at("aterkallelse").render(withdrawal);
  REQUIRE(aterkallelse.has_value());
  CHECK(*aterkallelse == nlohmann::json{{"meddelandeId", base["message_id"]},
                                        {"anvisningsId", base["referral_id"]},
                                        {"typ", "ANVISNING_ATERKALLAD"},
                                        {"skickad", base["sent_at"]},
                                        {"version", 3},
                                        {"orsak", "SAMTYCKE_ATERKALLAT"}});

  auto decision = base;
  decision.update({{"decision_id", "d-1"},
                   {"decision", "UNDANTAG"},
                   {"period", {{"from", "2026-11-01"}, {"to", "2026-11-30"}}},
                   {"reference", "B-1"},
                   {"decided_at", "2026-12-01T10:00:00.000Z"}});
  const auto beslut = templates->at("beslut").render(decision);
  REQUIRE(beslut.has_value());
  CHECK((*beslut)["typ"] == "BESLUT");
  CHECK((*beslut)["beslut"] == nlohmann::json{{"beslutsId", "d-1"},
                                              {"typ", "UNDANTAG"},
                                              {"periodFrom", "2026-11-01"},
                                              {"periodTom", "2026-11-30"},
                                              {"referens", "B-1"},
                                              {"beslutad", "2026-12-01T10:00:00.000Z"}});
  decision.erase("period");
  CHECK_FALSE(templates->at("beslut").render(decision).has_value());
}

TEST_CASE("the unit's assessment result renders as Jobbtorg's own BEDOMNING, its results as given") {
  auto templates = load_outbound_templates(kJobbtorgMappings);
  REQUIRE(templates.has_value());
  const nlohmann::json source = unit_ib_part1({{"BOENDE", "INGET_HINDER"}, {"MISSBRUK", "EJ_BEDOMT"}});
  const auto body = templates->at("enhetens_bedomning").render(source);
  REQUIRE(body.has_value());
  CHECK((*body)["typ"] == "BEDOMNING");
  CHECK((*body)["bedomning"] == nlohmann::json{{"bedomningsId", "a-1"},
                                               {"instrument", "IB"},
                                               {"del", "DEL1"},
                                               {"datum", "2026-11-20"},
                                               {"resultat", {{"BOENDE", "INGET_HINDER"}, {"MISSBRUK", "EJ_BEDOMT"}}}});
  auto without = source;
  without.erase("results");
  CHECK_FALSE(templates->at("enhetens_bedomning").render(without).has_value());
}
