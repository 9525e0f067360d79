// Every AF mapping against the simulator's answers (tests/fixtures/arbetsformedlingen, captured by
// regenerate.sh): the exact events and facts, and the protected-identity flag.
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "af_sources.h"
#include "af_test_support.h"

using nlohmann::json;

namespace {

knutpunkt::mapping::MappingResult map_fixture(const std::string& source, const std::string& fixture) {
  auto result = af_test::mappings().at(source).apply(af_test::fixture(fixture));
  if (!result) FAIL(result.error().code << " at " << result.error().where << " " << result.error().message);
  return *result;
}

json event_json(const knutpunkt::mapping::MappedEvent& event) {
  return {{"type", event.type}, {"occurred_at", event.occurred_at}, {"facts", event.facts}};
}

json events_json(const knutpunkt::mapping::MappingResult& result) {
  json out = json::array();
  for (const auto& event : result.events) out.push_back(event_json(event));
  return out;
}

}  // namespace

TEST_CASE("there is a JSON-input mapping for every AF source and nothing else") {
  const auto& loaded = af_test::mappings();
  CHECK(loaded.size() == knutpunkt::arbetsformedlingen::kSources.size());
  for (const auto& source : knutpunkt::arbetsformedlingen::kSources) {
    const auto found = loaded.find(std::string(source.code));
    REQUIRE(found != loaded.end());
    REQUIRE(found->second.versions().size() == 1);
    const auto& mapping = found->second.versions().front();
    CHECK(mapping.json_input());
    CHECK(mapping.name() == "arbetsformedlingen/" + std::string(source.code));
    CHECK(mapping.contract().version == "1");
  }
}

TEST_CASE("INSKRIVNING maps a registered job seeker to one registration status with every fact") {
  const auto result = map_fixture("INSKRIVNING", "INSKRIVNING.json");
  CHECK_FALSE(result.protected_identity);
  CHECK(events_json(result) == json::parse(R"([{"type": "employment.registration_status", "occurred_at": "",
    "facts": {"registered": true, "registered_on": "2025-11-03", "job_seeker_category": "11",
              "job_seeker_category_text": "Arbetslös", "extent_percent": 100}}])"));
}

TEST_CASE("INSKRIVNING of a person AF knows but who is not registered is one event with registered false") {
  const auto result = map_fixture("INSKRIVNING", "INSKRIVNING-nodata.json");
  CHECK(events_json(result) == json::parse(R"([{"type": "employment.registration_status", "occurred_at": "",
    "facts": {"registered": false}}])"));
}

TEST_CASE("INSKRIVNING of a deregistered job seeker carries the date and AF's reason code") {
  const auto result = map_fixture("INSKRIVNING", "INSKRIVNING-swedish.json");
  CHECK(events_json(result) == json::parse(R"([{"type": "employment.registration_status", "occurred_at": "",
    "facts": {"registered": false, "registered_on": "2024-03-04", "job_seeker_category": "21",
              "job_seeker_category_text": "Deltidsarbetslös", "extent_percent": 75,
              "deregistered_on": "2026-05-31", "deregistration_reason": "ARBETE"}}])"));
}

TEST_CASE("HANDLINGSPLAN maps the plan and one planned activity per activity, tied by plan_id") {
  const auto result = map_fixture("HANDLINGSPLAN", "HANDLINGSPLAN.json");
  CHECK_FALSE(result.protected_identity);
  CHECK(events_json(result) == json::parse(R"([
    {"type": "employment.action_plan", "occurred_at": "2025-11-20",
     "facts": {"plan_id": "HP-2025-004711", "established_on": "2025-11-20", "last_changed_on": "2026-08-14",
               "goal": "Arbete inom lager och logistik", "follow_up_on": "2026-11-30"}},
    {"type": "employment.planned_activity", "occurred_at": "2025-11-20",
     "facts": {"plan_id": "HP-2025-004711", "activity_id": "AKT-1", "activity_code": "SOKA_ARBETE",
               "activity_text": "Söka arbete", "description": "Söka minst sex arbeten per månad",
               "planned_from": "2025-11-20", "planned_to": "2026-12-31"}},
    {"type": "employment.planned_activity", "occurred_at": "2026-09-07",
     "facts": {"plan_id": "HP-2025-004711", "activity_id": "AKT-2", "activity_code": "ARBETSMARKNADSUTBILDNING",
               "activity_text": "Arbetsmarknadsutbildning", "description": "Truckkort A och B",
               "planned_from": "2026-09-07", "planned_to": "2026-10-30", "hours_per_week": "40",
               "provider_name": "Lernia", "location_address": "Storgatan 1", "location_municipality": "Stockholm"}}
  ])"));
}

TEST_CASE("HANDLINGSPLAN keeps Swedish characters and a fractional weekly extent exactly") {
  const auto result = map_fixture("HANDLINGSPLAN", "HANDLINGSPLAN-swedish.json");
  REQUIRE(result.events.size() == 2);
  CHECK(result.events[0].facts["goal"] == "Undersköterska inom äldreomsorgen i Göteborg");
  CHECK(result.events[1].facts["hours_per_week"] == "37.5");
  CHECK(result.events[1].facts["provider_name"] == "Åsa folkhögskola");
  CHECK(result.events[1].facts["location_address"] == "Östra Ågatan 3");
}

TEST_CASE("HANDLINGSPLAN without a plan gives no events") {
  CHECK(map_fixture("HANDLINGSPLAN", "HANDLINGSPLAN-nodata.json").events.empty());
  CHECK(map_fixture("HANDLINGSPLAN", "HANDLINGSPLAN-samordningsnummer.json").events.empty());
}

TEST_CASE("AKTIVITETSRAPPORTER maps one activity report per report and one reported activity per listed activity") {
  const auto result = map_fixture("AKTIVITETSRAPPORTER", "AKTIVITETSRAPPORTER.json");
  CHECK_FALSE(result.protected_identity);
  CHECK(events_json(result) == json::parse(R"([
    {"type": "employment.activity_report", "occurred_at": "2026-08-12",
     "facts": {"report_id": "AR-2026-07-0001", "month": "2026-07", "status": "BEDOMD", "submitted_on": "2026-08-12",
               "jobs_applied_count": 6}},
    {"type": "employment.activity_report", "occurred_at": "2026-09-14",
     "facts": {"report_id": "AR-2026-08-0002", "month": "2026-08", "status": "INLAMNAD", "submitted_on": "2026-09-14",
               "jobs_applied_count": 4}},
    {"type": "employment.activity_report", "occurred_at": "",
     "facts": {"report_id": "AR-2026-09-0003", "month": "2026-09", "status": "EJ_INLAMNAD"}},
    {"type": "employment.reported_activity", "occurred_at": "2026-07-06",
     "facts": {"report_id": "AR-2026-07-0001", "month": "2026-07", "date": "2026-07-06", "activity_code": "SOKT_JOBB",
               "activity_text": "Sökt jobb", "description": "Lagerarbetare"}},
    {"type": "employment.reported_activity", "occurred_at": "2026-07-20",
     "facts": {"report_id": "AR-2026-07-0001", "month": "2026-07", "date": "2026-07-20", "activity_code": "INTERVJU",
               "activity_text": "Anställningsintervju"}},
    {"type": "employment.reported_activity", "occurred_at": "2026-08-03",
     "facts": {"report_id": "AR-2026-08-0002", "month": "2026-08", "date": "2026-08-03", "activity_code": "SOKT_JOBB",
               "activity_text": "Sökt jobb", "description": "Truckförare"}}
  ])"));
}

TEST_CASE("AKTIVITETSRAPPORTER with no reports in the period gives no events") {
  CHECK(map_fixture("AKTIVITETSRAPPORTER", "AKTIVITETSRAPPORTER-nodata.json").events.empty());
}

TEST_CASE("BESLUT maps each programme decision with its daily amount in öre") {
  const auto result = map_fixture("BESLUT", "BESLUT.json");
  CHECK_FALSE(result.protected_identity);
  CHECK(events_json(result) == json::parse(R"([
    {"type": "employment.programme_decision", "occurred_at": "2025-12-15",
     "facts": {"decision_id": "BES-2025-1201", "programme_code": "JOBB_OCH_UTVECKLINGSGARANTIN",
               "programme_text": "Jobb- och utvecklingsgarantin", "decided_on": "2025-12-15", "valid_from": "2026-01-05",
               "valid_to": "2026-07-31", "compensation_type": "AKTIVITETSSTOD", "daily_amount_ore": 22300}},
    {"type": "employment.programme_decision", "occurred_at": "2026-08-20",
     "facts": {"decision_id": "BES-2026-0802", "programme_code": "ARBETSMARKNADSUTBILDNING",
               "programme_text": "Arbetsmarknadsutbildning", "decided_on": "2026-08-20", "valid_from": "2026-09-07",
               "valid_to": "2026-10-30", "compensation_type": "AKTIVITETSSTOD", "daily_amount_ore": 22300}}
  ])"));
}

TEST_CASE("BESLUT of an open-ended decision has no valid_to") {
  const auto result = map_fixture("BESLUT", "BESLUT-samordningsnummer.json");
  CHECK(events_json(result) == json::parse(R"([
    {"type": "employment.programme_decision", "occurred_at": "2025-06-20",
     "facts": {"decision_id": "BES-2025-0609", "programme_code": "ETABLERINGSPROGRAMMET",
               "programme_text": "Etableringsprogrammet", "decided_on": "2025-06-20", "valid_from": "2025-07-01",
               "compensation_type": "ETABLERINGSERSATTNING", "daily_amount_ore": 30800}}
  ])"));
  CHECK(map_fixture("BESLUT", "BESLUT-nodata.json").events.empty());
}

TEST_CASE("every source flags the protected person from AF's sekretessmarkering and still maps the data") {
  const std::vector<std::pair<std::string, std::size_t>> expected{
      {"INSKRIVNING", 1}, {"HANDLINGSPLAN", 2}, {"AKTIVITETSRAPPORTER", 2}, {"BESLUT", 1}};
  for (const auto& [source, count] : expected) {
    INFO(source);
    const auto result = map_fixture(source, source + "-protected.json");
    CHECK(result.protected_identity);
    CHECK(result.events.size() == count);
    // The unprotected answers of the same source are not flagged.
    CHECK_FALSE(map_fixture(source, source + ".json").protected_identity);
    CHECK_FALSE(map_fixture(source, source + "-nodata.json").protected_identity);
  }
  const auto plan = map_fixture("HANDLINGSPLAN", "HANDLINGSPLAN-protected.json");
  // The adapter filters nothing: stripping location facts is the gateway's policy step.
  CHECK(plan.events[1].facts["location_address"] == "Hamngatan 7");
}

TEST_CASE("a sekretessmarkering that is not a boolean fails the answer instead of reading as unprotected") {
  auto answer = af_test::fixture("INSKRIVNING-protected.json");
  answer["sekretessmarkering"] = "kanske";
  const auto result = af_test::mappings().at("INSKRIVNING").apply(answer);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == "value_invalid");
}

TEST_CASE("a programme code outside AF's code list fails the whole answer and names the field") {
  auto answer = af_test::fixture("BESLUT.json");
  answer["beslut"][1]["program"]["kod"] = "OKANT_PROGRAM";
  const auto result = af_test::mappings().at("BESLUT").apply(answer);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == "value_invalid");
  CHECK(result.error().field == "/beslut/1/program/kod");
}

TEST_CASE("an activity report without its month fails the answer and names the field") {
  auto answer = af_test::fixture("AKTIVITETSRAPPORTER.json");
  answer["aktivitetsrapporter"][0].erase("manad");
  const auto result = af_test::mappings().at("AKTIVITETSRAPPORTER").apply(answer);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == "value_missing");
  CHECK(result.error().field == "/aktivitetsrapporter/0/manad");
}
