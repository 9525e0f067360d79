// Försäkringskassan's messages read tolerantly: a member FK's published schema does not name is a
// deviation (of an ok lookup answer, or in the audit record of an accepted notification) and changes
// no fact, and a second version of an FK document is a file beside the first, picked by what the
// message says it is.
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/adapter_registry.h"
#include "decision_reader.h"
#include "fk_config.h"
#include "fk_exchange.h"
#include "fk_test_support.h"
#include "mapping/versioned_mapping.h"
#include "net/http_client.h"

namespace fk = knutpunkt::forsakringskassan;
using knutpunkt::SourceOutcome;
using knutpunkt::SourceStatus;
using namespace fk_test;
using nlohmann::json;

namespace {

SourceOutcome answer_with(const std::string& source, const json& body) {
  const knutpunkt::net::HttpResult ok = knutpunkt::net::HttpResponse{
      .status = 200, .content_type = "application/json", .retry_after = "", .body = body.dump()};
  return fk::read_reply(source, ok, mappings().at(source), fk::ReplyLimits{});
}

json facts(const SourceOutcome& outcome) {
  json out = json::array();
  for (const auto& event : outcome.events) out.push_back({event.type, event.occurred_at, event.facts});
  return out;
}

json facts(const knutpunkt::InboundReport& report) {
  json out = json::array();
  for (const auto& event : report.events) out.push_back({event.type, event.occurred_at, event.facts});
  return out;
}

json unknown_field(const std::string& pointer, const std::string& schema) {
  return {{"kind", "unknown_field"}, {"path", pointer}, {"detail", "not in " + schema}};
}

knutpunkt::InboundReport notification(const json& message) {
  auto report = reader().parse_report(message.dump());
  if (!report) FAIL(report.error().code + " " + report.error().field + ": " + report.error().message);
  return *report;
}

const char* const kPersons[] = {"191212121212", "196305024579", "197010632391", "198112189876", "198507092388"};

}  // namespace

TEST_CASE("FK's PAGAENDE answers and decision notifications use only members its schemas name", "[fk][tolerance]") {
  // The schemas reach list items through "items"; a walk that lost its way there would report
  // members the schema does name.
  for (const char* person : kPersons) {
    INFO(person);
    const auto pending = answer_with("PAGAENDE", fixture_json(std::string("pagaende-") + person + ".json"));
    REQUIRE(pending.status == SourceStatus::ok);
    CHECK(pending.contract_version == "1");
    CHECK(pending.deviations.empty());
  }
  for (const char* name : {"191212121212", "197010632391", "198112189876", "198507092388", "atersokning"}) {
    INFO(name);
    CHECK(notification(fixture_json(std::string("beslutsnotifiering-") + name + ".json")).deviations.empty());
  }
}

TEST_CASE("FORMANER names no schema: its deviations are LEFI's own avvikelser only", "[fk][tolerance]") {
  // lefi-svar.schema.json describes only what the mapping reads; checked against it, every answer
  // would list LEFI's documented members as unknown.
  for (const char* person : kPersons) {
    INFO(person);
    const auto outcome = answer_with("FORMANER", fixture_json(std::string("formaner-") + person + ".json"));
    REQUIRE(outcome.status == SourceStatus::ok);
    CHECK(outcome.contract_version == "v9");
    for (const auto& deviation : outcome.deviations) CHECK(deviation["kind"] == "partner_reported");
  }
}

TEST_CASE("an unknown PAGAENDE member at the top, in an object or in a list item is one deviation each",
          "[fk][tolerance]") {
  const json plain = fixture_json("pagaende-191212121212.json");
  const auto expected = facts(answer_with("PAGAENDE", plain));
  REQUIRE(expected.size() == 2);
  for (const std::string pointer : {"/handlaggningstid", "/arenden/0/status/orsak", "/arenden/1/handlaggare"}) {
    INFO(pointer);
    json body = plain;
    body[json::json_pointer(pointer)] = "Anna Andersson";
    const auto outcome = answer_with("PAGAENDE", body);
    REQUIRE(outcome.status == SourceStatus::ok);
    CHECK(facts(outcome) == expected);
    REQUIRE(outcome.deviations.size() == 1);
    CHECK(outcome.deviations[0] == unknown_field(pointer, "pagaende-svar.schema.json"));
    CHECK(outcome.deviations[0].dump().find("Anna") == std::string::npos);
  }
}

TEST_CASE("a notification with unknown members is accepted, its deviations carried for the audit record",
          "[fk][tolerance][inbound]") {
  const json plain = fixture_json("beslutsnotifiering-191212121212.json");
  const auto expected = facts(notification(plain));
  json message = plain;
  message["kanal"] = "API";
  message["beslut"]["handlaggare"] = {{"namn", "Anna Andersson"}};
  message["beslut"]["belopp"]["skatteavdrag"] = 0;
  const auto report = notification(message);
  CHECK(facts(report) == expected);
  CHECK(report.partner_message_id == "FKN-fixture-0001");
  CHECK(report.person_id == "191212121212");
  REQUIRE(report.deviations.size() == 3);
  const std::string schema = "beslutsnotifiering.schema.json";
  CHECK(report.deviations[0] == unknown_field("/beslut/belopp/skatteavdrag", schema));
  CHECK(report.deviations[1] == unknown_field("/beslut/handlaggare", schema));
  CHECK(report.deviations[2] == unknown_field("/kanal", schema));
  for (const auto& deviation : report.deviations) {
    CHECK(deviation.dump().find("Anna") == std::string::npos);
    CHECK(deviation.dump().find("191212121212") == std::string::npos);
  }
}

TEST_CASE("a second version of FK's notification is a file beside the first, picked by what it says",
          "[fk][tolerance][registration]") {
  // The repository's layout in a scratch folder: every FK mapping and schema, plus version 2.
  const auto root = std::filesystem::temp_directory_path() / ("fk-versions-" + std::to_string(::getpid()));
  const auto dir = root / "mappings" / "forsakringskassan";
  std::filesystem::create_directories(dir);
  std::filesystem::create_directories(root / "schemas");
  std::filesystem::copy(FK_MAPPING_DIR, dir,
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy(FK_SCHEMA_DIR, root / "schemas" / "forsakringskassan",
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  // Version 2 says so in "version" and calls utfall "resultat"; it is checked against version 1's
  // schema, which names neither.
  std::ifstream in(dir / "BESLUTSNOTIFIERING.json");
  json v2 = json::parse(in);
  v2["mapping"] = "forsakringskassan/BESLUTSNOTIFIERING.2";
  v2["contract"]["version"] = "2";
  v2["contract"]["recognised_by"] = {{"path", "/version"}, {"type", "integer"}, {"equals", 2}};
  v2["events"][0]["facts"]["outcome"]["path"] = "resultat";
  std::ofstream(dir / "BESLUTSNOTIFIERING.2.json") << v2.dump(2);

  boost::asio::io_context io;
  knutpunkt::net::HttpClient http(io);
  knutpunkt::AdapterContext context{io, http, "/", "/adapters/0/config"};
  const auto* inbound = knutpunkt::AdapterRegistry::instance().find_inbound("forsakringskassan");
  REQUIRE(inbound != nullptr);
  auto built = (*inbound)({{"endpoint", "http://127.0.0.1:18083/fk"},
                           {"aktorsid", "9255f428-4ba0-63ce-5407-e65d469fac0f"},
                           {"token", "t0k"},
                           {"mappings", dir.string()}},
                          context);
  std::filesystem::remove_all(root);
  if (!built) FAIL(built.error().field + ": " + built.error().message);

  const json v1_message = fixture_json("beslutsnotifiering-191212121212.json");
  const auto v1 = (*built)->parse_report(v1_message.dump());
  REQUIRE(v1);
  CHECK(v1->events.at(0).facts["outcome"] == "BIFALL");
  CHECK(v1->deviations.empty());

  json v2_message = v1_message;
  v2_message["version"] = 2;
  v2_message["beslut"]["resultat"] = v2_message["beslut"]["utfall"];
  v2_message["beslut"].erase("utfall");
  const auto read_v2 = (*built)->parse_report(v2_message.dump());
  if (!read_v2) FAIL(read_v2.error().code + " " + read_v2.error().field + ": " + read_v2.error().message);
  CHECK(read_v2->events.at(0).facts == v1->events.at(0).facts);
  REQUIRE(read_v2->deviations.size() == 2);
  CHECK(read_v2->deviations[0]["path"] == "/beslut/resultat");
  CHECK(read_v2->deviations[1]["path"] == "/version");
}
