// Inbound: a region's SVAR and ANDRINGSFORSLAG (tests/fixtures/sip_region, held to the wire schema
// by check_fixtures.py) mapped to sip.reply_received / sip.change_proposed for the plan they name;
// every refusal with its code and JSON pointer, and without the values sent.
#include <catch2/catch.hpp>

#include "region_config.h"
#include "region_test_support.h"
#include "reply_reader.h"

namespace region = knutpunkt::sip_region;
using knutpunkt::InboundError;
using knutpunkt::InboundReport;
using nlohmann::json;
using sip_region_test::fixture;

namespace {

region::ReplyReader reader(std::size_t max_bytes = 64 * 1024) {
  auto config = region::read_region_config(
      {{"endpoint", "http://127.0.0.1:18085"}, {"max_report_bytes", static_cast<long long>(max_bytes)}}, "/c");
  REQUIRE(config);
  return region::ReplyReader(*config);
}

InboundReport parsed(const json& message) {
  auto report = reader().parse_report(message.dump());
  if (!report) FAIL(report.error().code + " " + report.error().field + ": " + report.error().message);
  return *report;
}

InboundError refused(const std::string& body) {
  auto report = reader().parse_report(body);
  REQUIRE_FALSE(report.has_value());
  return report.error();
}

InboundError refused(const json& message) {
  return refused(message.dump());
}

}  // namespace

TEST_CASE("a SVAR DELTAR becomes sip.reply_received accepted for the plan and participant it names",
          "[sip_region][inbound]") {
  const auto report = parsed(fixture("svar-deltar.json"));
  CHECK(report.partner_message_id == "3f2c1d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f");
  CHECK(report.plan_id == "sip-2026-000042");
  CHECK(report.participant_id == "p-region-1");
  CHECK(report.referral_id.empty());
  CHECK(report.person_id.empty());
  CHECK(report.report_type == "SVAR");
  CHECK(report.reported_at == "2026-10-02T10:00:00.000Z");
  CHECK_FALSE(report.protected_identity);
  REQUIRE(report.events.size() == 1);
  CHECK(report.events[0].type == "sip.reply_received");
  CHECK(report.events[0].occurred_at == "2026-10-02T10:00:00.000Z");
  CHECK(report.events[0].facts == json{{"participant_id", "p-region-1"}, {"reply", "accepted"}});
}

TEST_CASE("a SVAR DELTAR_INTE becomes sip.reply_received declined", "[sip_region][inbound]") {
  const auto report = parsed(fixture("svar-deltar-inte.json"));
  CHECK(report.participant_id == "p-fk-1");
  REQUIRE(report.events.size() == 1);
  CHECK(report.events[0].facts == json{{"participant_id", "p-fk-1"}, {"reply", "declined"}});
}

TEST_CASE("an ANDRINGSFORSLAG becomes sip.change_proposed with the proposal in English keys",
          "[sip_region][inbound]") {
  const auto report = parsed(fixture("andringsforslag.json"));
  CHECK(report.report_type == "ANDRINGSFORSLAG");
  CHECK(report.plan_id == "sip-2026-000042");
  REQUIRE(report.events.size() == 1);
  CHECK(report.events[0].type == "sip.change_proposed");
  CHECK(report.events[0].occurred_at == "2026-11-20T14:00:00.000Z");
  CHECK(report.events[0].facts ==
        json{{"participant_id", "p-region-1"},
             {"proposal",
              {{"summary", "Samtalsbehandlingen förlängs; fysioterapi läggs till."},
               {"insatser",
                {{{"description", "Samtalsbehandling, förlängd."}, {"start_date", "2026-10-15"}, {"end_date", "2027-06-30"}},
                 {{"description", "Fysioterapi i grupp."}, {"start_date", "2027-01-10"}, {"end_date", nullptr}}}}}}});
}

TEST_CASE("a proposal without insatser has an empty list", "[sip_region][inbound]") {
  const auto report = parsed(fixture("andringsforslag-utan-insatser.json"));
  CHECK(report.events.at(0).facts["proposal"] ==
        json{{"summary", "Nästa uppföljning bör hållas digitalt."}, {"insatser", json::array()}});
}

TEST_CASE("body-level refusals: invalid_json, too_large, not an object, too deep", "[sip_region][inbound][errors]") {
  CHECK(refused(std::string("{\"meddelandetyp\":")).code == "invalid_json");
  const auto big = fixture("andringsforslag.json");
  auto large = big;
  large["andringsforslag"]["sammanfattning"] = std::string(3000, 'x');
  auto small_reader = reader(1024);
  auto too_large = small_reader.parse_report(large.dump());
  REQUIRE_FALSE(too_large);
  CHECK(too_large.error().code == "too_large");
  CHECK(refused(std::string("[1,2]")).code == "field_invalid");
  const auto deep = refused(std::string(40, '[') + std::string(40, ']'));
  CHECK(deep.code == "field_invalid");
  CHECK(deep.field.empty());
}

TEST_CASE("a message type a region does not send is unknown_report_type at /meddelandetyp",
          "[sip_region][inbound][errors]") {
  auto message = fixture("svar-deltar.json");
  message["meddelandetyp"] = "KALLELSE";
  const auto error = refused(message);
  CHECK(error.code == "unknown_report_type");
  CHECK(error.field == "/meddelandetyp");
  CHECK(error.message.find("KALLELSE") == std::string::npos);
  message.erase("meddelandetyp");
  CHECK(refused(message).code == "field_missing");
  CHECK(refused(message).field == "/meddelandetyp");
}

TEST_CASE("every missing or malformed field is refused with its JSON pointer and without its value",
          "[sip_region][inbound][errors]") {
  struct Case {
    std::string fixture;
    std::string pointer;
    json value;  // discarded: remove the member
    std::string code;
  };
  const json gone = json::value_t::discarded;
  const auto c = GENERATE_COPY(values<Case>({
      {"svar-deltar.json", "/meddelandeId", gone, "field_missing"},
      {"svar-deltar.json", "/meddelandeId", "msg-198112189876", "field_invalid"},
      {"svar-deltar.json", "/planId", gone, "field_missing"},
      {"svar-deltar.json", "/planId", "plan/198112189876", "field_invalid"},
      {"svar-deltar.json", "/deltagarId", gone, "field_missing"},
      {"svar-deltar.json", "/deltagarId", 42, "field_invalid"},
      {"svar-deltar.json", "/tidpunkt", gone, "field_missing"},
      {"svar-deltar.json", "/tidpunkt", "2026-10-02T10:00:00+02:00", "field_invalid"},
      {"svar-deltar.json", "/svar", gone, "field_missing"},
      {"svar-deltar.json", "/svar", "KANSKE-198112189876", "field_invalid"},
      {"svar-deltar.json", "/personnummer", "198112189876", "field_invalid"},
      {"svar-deltar.json", "/andringsforslag", json{{"sammanfattning", "x"}}, "field_invalid"},
      {"andringsforslag.json", "/andringsforslag", gone, "field_missing"},
      {"andringsforslag.json", "/andringsforslag", "text 198112189876", "field_invalid"},
      {"andringsforslag.json", "/svar", "DELTAR", "field_invalid"},
      {"andringsforslag.json", "/andringsforslag/sammanfattning", gone, "field_missing"},
      {"andringsforslag.json", "/andringsforslag/sammanfattning", "", "field_invalid"},
      {"andringsforslag.json", "/andringsforslag/adress", "Storgatan 198112189876", "field_invalid"},
      {"andringsforslag.json", "/andringsforslag/insatser", "198112189876", "field_invalid"},
      {"andringsforslag.json", "/andringsforslag/insatser/1", "198112189876", "field_invalid"},
      {"andringsforslag.json", "/andringsforslag/insatser/0/beskrivning", gone, "field_missing"},
      {"andringsforslag.json", "/andringsforslag/insatser/0/startdatum", gone, "field_missing"},
      {"andringsforslag.json", "/andringsforslag/insatser/0/startdatum", "2026-02-30", "field_invalid"},
      {"andringsforslag.json", "/andringsforslag/insatser/0/slutdatum", "2026-10-14", "field_invalid"},
      {"andringsforslag.json", "/andringsforslag/insatser/1/ansvarig", "198112189876", "field_invalid"},
  }));
  CAPTURE(c.fixture, c.pointer);
  auto message = fixture(c.fixture);
  const json::json_pointer pointer(c.pointer);
  if (c.value.is_discarded())
    message[pointer.parent_pointer()].erase(pointer.back());
  else
    message[pointer] = c.value;
  const auto error = refused(message);
  CHECK(error.code == c.code);
  CHECK(error.field == c.pointer);
  CHECK(error.message.find("198112189876") == std::string::npos);
}

TEST_CASE("more than 20 proposed insatser are refused", "[sip_region][inbound][errors]") {
  auto message = fixture("andringsforslag.json");
  auto& insatser = message["andringsforslag"]["insatser"];
  while (insatser.size() <= 20) insatser.push_back(insatser[0]);
  const auto error = refused(message);
  CHECK(error.code == "field_invalid");
  CHECK(error.field == "/andringsforslag/insatser");
}
