// Försäkringskassan's two asynchronous facets: decision notifications in (the simulator's captured
// pushes mapped to one benefit.decision_received with exact facts; every refusal names the JSON
// pointer of the field) and återsökningar out (the outbox payload rendered to the exact wire body of
// atersokning-request.json, which check_fixtures.py holds to the schema), plus their registration.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <filesystem>

#include "atersokning_sender.h"
#include "core/adapter_registry.h"
#include "decision_reader.h"
#include "fk_config.h"
#include "fk_test_support.h"
#include "mapping/outbound_template.h"
#include "mapping/versioned_mapping.h"
#include "net/http_client.h"

namespace fk = knutpunkt::forsakringskassan;
using knutpunkt::InboundError;
using knutpunkt::InboundReport;
using namespace fk_test;
using nlohmann::json;

namespace {

knutpunkt::mapping::VersionedMapping beslutsnotifiering() {
  auto mappings = knutpunkt::mapping::load_versioned_mappings(FK_MAPPING_DIR, FK_SCHEMA_DIR);
  if (!mappings) FAIL(mappings.error().where + ": " + mappings.error().message);
  return mappings->at(fk::kBeslutsnotifiering);
}

const fk::AtersokningSender& sender() {
  static const fk::AtersokningSender loaded = [] {
    auto tpl = knutpunkt::mapping::OutboundTemplate::load(std::string(FK_MAPPING_DIR) + "/atersokning.json");
    if (!tpl) FAIL(tpl.error().where + ": " + tpl.error().message);
    return fk::AtersokningSender(config(), *tpl);
  }();
  return loaded;
}

InboundReport parsed(const json& message) {
  auto report = reader().parse_report(message.dump());
  if (!report) FAIL(report.error().code + " " + report.error().field + ": " + report.error().message);
  return *report;
}

InboundError refused(const json& message) {
  auto report = reader().parse_report(message.dump());
  REQUIRE_FALSE(report.has_value());
  return report.error();
}

json without(json message, const std::string& pointer) {
  const json::json_pointer ptr(pointer);
  message[ptr.parent_pointer()].erase(ptr.back());
  return message;
}

json with(json message, const std::string& pointer, json value) {
  message[json::json_pointer(pointer)] = std::move(value);
  return message;
}

std::expected<knutpunkt::OutboundRequest, knutpunkt::RenderError> render(
    const json& payload, const std::string& type = "atersokning.requested") {
  const std::string id = "0b7d7c0e-1111-4222-8333-944445555666";
  return sender().render(knutpunkt::OutboundMessage{id, type, payload});
}

}  // namespace

TEST_CASE("a decision notification becomes one benefit.decision_received with exact facts", "[fk][inbound]") {
  const auto report = parsed(fixture_json("beslutsnotifiering-191212121212.json"));
  CHECK(report.partner_message_id == "FKN-fixture-0001");
  CHECK(report.referral_id.empty());
  CHECK(report.person_id == "191212121212");
  CHECK(report.id_kind == "personnummer");
  CHECK(report.report_type == "BESLUTSNOTIFIERING");
  CHECK(report.reported_at == "2026-11-24T12:00:00.000Z");
  CHECK_FALSE(report.protected_identity);
  REQUIRE(report.events.size() == 1);
  CHECK(report.events[0].type == "benefit.decision_received");
  CHECK(report.events[0].occurred_at == "2026-11-24");
  CHECK(report.events[0].facts == json{{"decision_id", "B-FKN-fixture-0001"},
                                       {"decided_on", "2026-11-24"},
                                       {"benefit_code", "FK:BOB"},
                                       {"benefit_name", "Bostadsbidrag"},
                                       {"outcome", "BIFALL"},
                                       {"period_from", "2026-12-01"},
                                       {"period_to", "2027-05-31"},
                                       {"amount_ore", 184700},
                                       {"currency", "SEK"},
                                       {"amount_period", "MANAD"},
                                       {"paid_to", "SOKANDE"}});
}

TEST_CASE("FK's decision on an återsökning is paid to the nämnd and names the återsökning", "[fk][inbound]") {
  const auto report = parsed(fixture_json("beslutsnotifiering-atersokning.json"));
  const auto payload = fixture_json("atersokning-payload.json");
  REQUIRE(report.events.size() == 1);
  const auto& facts = report.events[0].facts;
  CHECK(facts.at("paid_to") == "NAMND");
  CHECK(facts.at("recovery_claim_id") == payload.at("atersokning_id"));
  // 12345.5 kronor on the wire, exactly the öre the nämnd claimed.
  CHECK(facts.at("amount_ore") == payload.at("amount_ore"));
  CHECK(facts.at("amount_period") == "ENGANGS");
  CHECK(facts.at("period_from") == "2026-01-01");
  CHECK(facts.at("period_to") == "2026-03-31");
}

TEST_CASE("a decision without amount or period has no such facts, and kronor with decimals become exact öre",
          "[fk][inbound]") {
  const auto bare = parsed(fixture_json("beslutsnotifiering-198112189876.json"));
  REQUIRE(bare.events.size() == 1);
  CHECK(bare.events[0].facts == json{{"decision_id", "B-FKN-fixture-0003"},
                                     {"decided_on", "2026-11-24"},
                                     {"benefit_code", "FK:SJP"},
                                     {"benefit_name", "Sjukpenning"},
                                     {"outcome", "AVSLAG"}});
  const auto cents = parsed(fixture_json("beslutsnotifiering-198507092388.json"));
  CHECK(cents.events.at(0).facts.at("amount_ore") == 99);
  CHECK(cents.events.at(0).facts.at("outcome") == "DELVIS_BIFALL");
}

TEST_CASE("skyddad sets the protected-identity flag; false leaves it off", "[fk][inbound][protected]") {
  CHECK(parsed(fixture_json("beslutsnotifiering-198112189876.json")).protected_identity);
  const auto flipped = with(fixture_json("beslutsnotifiering-191212121212.json"), "/skyddad", true);
  CHECK(parsed(flipped).protected_identity);
  CHECK_FALSE(parsed(fixture_json("beslutsnotifiering-191212121212.json")).protected_identity);
}

TEST_CASE("a samordningsnummer is kept as 12 digits with its kind", "[fk][inbound]") {
  const auto report = parsed(fixture_json("beslutsnotifiering-197010632391.json"));
  CHECK(report.person_id == "197010632391");
  CHECK(report.id_kind == "samordningsnummer");
  CHECK(report.events.at(0).facts.at("outcome") == "INDRAGNING");
}

TEST_CASE("each required field missing is refused naming its JSON pointer", "[fk][inbound][errors]") {
  const auto full = fixture_json("beslutsnotifiering-191212121212.json");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/notifieringsId", "/notifieringsId"},
      {"/skapad", "/skapad"},
      {"/personnummer", "/personnummer"},
      {"/skyddad", "/skyddad"},
      {"/beslut", "/beslut"},
      {"/beslut/beslutsId", "/beslut/beslutsId"},
      {"/beslut/beslutsdatum", "/beslut/beslutsdatum"},
      {"/beslut/forman", "/beslut/forman/kod"},
      {"/beslut/forman/kod", "/beslut/forman/kod"},
      {"/beslut/utfall", "/beslut/utfall"},
      {"/beslut/belopp/varde", "/beslut/belopp/varde"},
      {"/beslut/belopp/valuta", "/beslut/belopp/valuta"},
      {"/beslut/belopp/period", "/beslut/belopp/period"},
      {"/beslut/period/from", "/beslut/period/from"},
      {"/beslut/period/tom", "/beslut/period/tom"},
  };
  for (const auto& [removed, field] : cases) {
    INFO("without " << removed);
    const auto error = refused(without(full, removed));
    CHECK(error.code == "field_missing");
    CHECK(error.field == field);
  }
  INFO("null counts as missing");
  CHECK(refused(with(full, "/beslut/utfall", nullptr)).field == "/beslut/utfall");
}

TEST_CASE("a value of the wrong form is refused naming its field, never quoting it", "[fk][inbound][errors]") {
  const auto full = fixture_json("beslutsnotifiering-191212121212.json");
  const std::vector<std::pair<std::string, json>> cases = {
      {"/notifieringsId", "FKN 1"},
      {"/notifieringsId", std::string(65, 'a')},
      {"/notifieringsId", 17},
      {"/skapad", "2026-11-24"},
      {"/skyddad", "nej"},
      {"/skyddad", 0},
      {"/beslut/beslutsdatum", "2026-02-30"},
      {"/beslut/utfall", "BEVILJAT"},
      {"/beslut/belopp/valuta", "EUR"},
      {"/beslut/belopp/varde", 12.345},
      {"/beslut/belopp/varde", "ett tusen"},
      {"/beslut/belopp/period", "VECKA"},
      {"/beslut/utbetalningsmottagare", "KOMMUN"},
      {"/beslut/period/tom", "31/5 2027"},
      {"/beslut/belopp", 1847},
      {"/beslut/period", "2026"},
      {"/beslut", json::array()},
  };
  for (const auto& [pointer, value] : cases) {
    INFO(pointer << " = " << value.dump());
    const auto error = refused(with(full, pointer, value));
    CHECK(error.code == "field_invalid");
    CHECK(error.field == pointer);
    if (value.is_string()) CHECK(error.message.find(value.get<std::string>()) == std::string::npos);
  }
}

TEST_CASE("a personnummer must be 12 digits with a valid date and check digit", "[fk][inbound][errors]") {
  const auto full = fixture_json("beslutsnotifiering-191212121212.json");
  for (const std::string bad : {"191212121213", "1212121212", "19121212-1212", "191213121212", "19121212121a"}) {
    INFO(bad);
    const auto error = refused(with(full, "/personnummer", bad));
    CHECK(error.code == "field_invalid");
    CHECK(error.field == "/personnummer");
    CHECK(error.message.find(bad) == std::string::npos);
    CHECK(error.message.find("1212") == std::string::npos);
  }
  CHECK(refused(with(full, "/personnummer", 191212121212LL)).field == "/personnummer");
}

TEST_CASE("too large, too deep, not JSON and not an object are refused before mapping", "[fk][inbound][limits]") {
  auto big = fixture_json("beslutsnotifiering-191212121212.json");
  big["beslut"]["forman"]["beskrivning"] = std::string(70 * 1024, 'x');
  CHECK(refused(big).code == "too_large");

  const fk::DecisionReader small(config({{"max_notification_bytes", 1024}}), beslutsnotifiering());
  auto padded = fixture_json("beslutsnotifiering-191212121212.json");
  padded["beslut"]["forman"]["beskrivning"] = std::string(1024, 'x');
  REQUIRE_FALSE(small.parse_report(padded.dump()));
  CHECK(small.parse_report(padded.dump()).error().code == "too_large");
  CHECK(small.parse_report(fixture_json("beslutsnotifiering-191212121212.json").dump()).has_value());

  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  auto too_deep = reader().parse_report(deep);
  REQUIRE_FALSE(too_deep);
  CHECK(too_deep.error().code == "field_invalid");
  auto nested = fixture_json("beslutsnotifiering-191212121212.json");
  json inner = json::object();
  for (int i = 0; i < 20; ++i) inner = json{{"x", inner}};
  nested["beslut"]["forman"]["extra"] = inner;
  CHECK(refused(nested).code == "field_invalid");

  CHECK(reader().parse_report("{\"notifieringsId\": ").error().code == "invalid_json");
  CHECK(reader().parse_report("[]").error().code == "field_invalid");
}

TEST_CASE("an återsökning renders to exactly the wire body of atersokning-request.json", "[fk][outbound]") {
  auto request = render(fixture_json("atersokning-payload.json"));
  REQUIRE(request);
  CHECK(request->method == "POST");
  CHECK(request->path == "/fk-atersokning/v1/aktorer/9255f428-4ba0-63ce-5407-e65d469fac0f/atersokningar");
  CHECK(sender().endpoint() == "http://127.0.0.1:18083/fk");
  CHECK(request->content_type == "application/json");
  CHECK(json::parse(request->body) == fixture_json("atersokning-request.json"));
  const auto has_header = [&](const std::string& name, const std::string& value) {
    for (const auto& [n, v] : request->headers)
      if (n == name && v == value) return true;
    return false;
  };
  CHECK(has_header("Authorization", "Bearer t0k"));
  // The delivery engine adds Idempotency-Key (the message id); the adapter must not set its own.
  for (const auto& [name, _] : request->headers) CHECK(name != "Idempotency-Key");
}

TEST_CASE("a protected person's återsökning says so", "[fk][outbound][protected]") {
  auto request = render(with(fixture_json("atersokning-payload.json"), "/protected_identity", true));
  REQUIRE(request);
  CHECK(json::parse(request->body).at("skyddad") == true);
}

TEST_CASE("a payload field the återsökning needs is refused naming it", "[fk][outbound][errors]") {
  const auto payload = fixture_json("atersokning-payload.json");
  for (const std::string field :
       {"/atersokning_id", "/case_id", "/person/id", "/benefit_code", "/period/from", "/period/to", "/amount_ore",
        "/decided_on", "/caseworker/id", "/caseworker/unit", "/protected_identity"}) {
    INFO(field);
    auto request = render(without(payload, field));
    REQUIRE_FALSE(request);
    CHECK(request.error().code == "value_missing");
    CHECK(request.error().field == field);
  }
  for (const auto& [field, value] : std::vector<std::pair<std::string, json>>{{"/amount_ore", "1234550"},
                                                                              {"/amount_ore", 12345.5},
                                                                              {"/decided_on", "15/1 2026"},
                                                                              {"/period/to", "2026-02-30"},
                                                                              {"/protected_identity", "no"}}) {
    INFO(field << " = " << value.dump());
    auto request = render(with(payload, field, value));
    REQUIRE_FALSE(request);
    CHECK(request.error().code == "value_invalid");
    CHECK(request.error().field == field);
  }
  for (const json& amount : {json(0), json(-100)}) {
    auto request = render(with(payload, "/amount_ore", amount));
    REQUIRE_FALSE(request);
    CHECK(request.error().code == "value_invalid");
    CHECK(request.error().field == "/amount_ore");
  }
}

TEST_CASE("a message type other than atersokning.requested is unsupported", "[fk][outbound][errors]") {
  auto request = render(fixture_json("atersokning-payload.json"), "referral.requested");
  REQUIRE_FALSE(request);
  CHECK(request.error().code == "unsupported_type");
}

TEST_CASE("the forsakringskassan kind has lookup, inbound and outbound facets from one config", "[fk][registration]") {
  auto& registry = knutpunkt::AdapterRegistry::instance();
  const auto* inbound = registry.find_inbound("forsakringskassan");
  const auto* outbound = registry.find_outbound("forsakringskassan");
  REQUIRE(inbound != nullptr);
  REQUIRE(outbound != nullptr);
  REQUIRE(registry.find("forsakringskassan") != nullptr);
  boost::asio::io_context io;
  knutpunkt::net::HttpClient http(io);
  knutpunkt::AdapterContext context{io, http, "/", "/adapters/3/config"};

  auto reader_facet = (*inbound)(config_json(), context);
  REQUIRE(reader_facet);
  CHECK((*reader_facet)->parse_report(read_text("beslutsnotifiering-191212121212.json")).has_value());
  auto sender_facet = (*outbound)(config_json(), context);
  REQUIRE(sender_facet);
  CHECK((*sender_facet)->endpoint() == "http://127.0.0.1:18083/fk");

  // A folder with the lookup mappings only (beside the published schemas, as in the repository):
  // the lookup facet builds, the other two name /mappings.
  const auto root = std::filesystem::temp_directory_path() / ("fk-layout-" + std::to_string(::getpid()));
  const auto dir = root / "mappings" / "forsakringskassan";
  std::filesystem::create_directories(dir);
  std::filesystem::create_directories(root / "schemas");
  std::filesystem::copy(FK_SCHEMA_DIR, root / "schemas" / "forsakringskassan",
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  for (const char* name : {"FORMANER.json", "PAGAENDE.json"}) {
    std::filesystem::copy_file(std::filesystem::path(FK_MAPPING_DIR) / name, dir / name,
                               std::filesystem::copy_options::overwrite_existing);
  }
  auto lookup_only = config_json();
  lookup_only["mappings"] = dir.string();
  CHECK((*registry.find("forsakringskassan"))(lookup_only, context).has_value());
  auto no_reader = (*inbound)(lookup_only, context);
  REQUIRE_FALSE(no_reader);
  CHECK(no_reader.error().field == "/adapters/3/config/mappings");
  auto no_sender = (*outbound)(lookup_only, context);
  REQUIRE_FALSE(no_sender);
  CHECK(no_sender.error().field == "/adapters/3/config/mappings");
  std::filesystem::remove_all(root);

  auto bad_config = config_json();
  bad_config["max_notification_bytes"] = 10;
  auto refused_config = (*inbound)(bad_config, context);
  REQUIRE_FALSE(refused_config);
  CHECK(refused_config.error().field == "/adapters/3/config/max_notification_bytes");
}

TEST_CASE("max_notification_bytes defaults to 64 KiB and is read when given", "[fk][config]") {
  CHECK(config().max_notification_bytes == 64 * 1024);
  CHECK(config({{"max_notification_bytes", 2048}}).max_notification_bytes == 2048);
  for (const json& bad : {json(1023), json(1048577), json("4096")}) {
    auto raw = config_json();
    raw["max_notification_bytes"] = bad;
    auto parsed_config = fk::read_fk_config(raw, "/c", "/");
    REQUIRE_FALSE(parsed_config);
    CHECK(parsed_config.error().field == "/c/max_notification_bytes");
  }
}
