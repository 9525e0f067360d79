// Försäkringskassan: the mappings against the simulator's captured answers (exact facts), avvikelser
// as per-item deviations of an ok answer, the protected-identity flag, classification of failed
// exchanges, the request on the wire, and config errors that name their field.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>

#include "core/adapter_registry.h"
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

knutpunkt::net::HttpResult reply(unsigned status, std::string body) {
  return knutpunkt::net::HttpResponse{
      .status = status, .content_type = "application/json", .retry_after = "", .body = std::move(body)};
}

SourceOutcome answer(const std::string& source, const std::string& fixture_name) {
  return fk::read_reply(source, reply(200, read_text(fixture_name)), mappings().at(source), fk::ReplyLimits{});
}

std::vector<json> facts_of(const SourceOutcome& outcome, const std::string& type) {
  std::vector<json> out;
  for (const auto& event : outcome.events)
    if (event.type == type) out.push_back(event.facts);
  return out;
}

json valid_config() {
  return {{"endpoint", "http://127.0.0.1:18083/"},
          {"aktorsid", "9255f428-4ba0-63ce-5407-e65d469fac0f"},
          {"token", "t0k"},
          {"mappings", FK_MAPPING_DIR}};
}

std::string config_error_field(const json& config) {
  auto parsed = fk::read_fk_config(config, "/adapters/2/config", "/");
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error().field;
}

knutpunkt::LookupQuery query(const std::string& person) {
  knutpunkt::LookupQuery q;
  q.lookup_id = "lk-1";
  q.person_id = person;
  q.period_from = "2026-01-01";
  q.period_to = "2026-11-24";
  return q;
}

}  // namespace

TEST_CASE("FORMANER maps each LEFI payment to benefit.payment with amounts in öre", "[fk][mapping]") {
  const auto outcome = answer("FORMANER", "formaner-191212121212.json");
  REQUIRE(outcome.status == SourceStatus::ok);
  const auto payments = facts_of(outcome, "benefit.payment");
  REQUIRE(payments.size() == 6);
  CHECK(payments[0] == json{{"benefit_family", "BOB"},
                            {"paid_on", "2026-07-24"},
                            {"period_from", "2026-07-01"},
                            {"period_to", "2026-07-31"},
                            {"gross_amount_ore", 185000},
                            {"tax_amount_ore", 0},
                            {"deduction_amount_ore", 0},
                            {"net_amount_ore", 185000},
                            {"currency", "SEK"},
                            {"payer_code", "1001"}});
  CHECK(payments[5] == json{{"benefit_family", "AP"},
                            {"paid_on", "2026-09-18"},
                            {"period_from", "2026-09-01"},
                            {"period_to", "2026-09-30"},
                            {"gross_amount_ore", 987650},
                            {"tax_amount_ore", 197530},
                            {"deduction_amount_ore", 197530},
                            {"net_amount_ore", 790120},
                            {"currency", "SEK"},
                            {"payer_code", "1003"}});
  CHECK(outcome.events.front().occurred_at == "2026-07-24");
}

TEST_CASE("FORMANER maps decisions, FK cases and PM claims, and other information", "[fk][mapping]") {
  const auto outcome = answer("FORMANER", "formaner-191212121212.json");
  const auto decisions = facts_of(outcome, "benefit.decision");
  REQUIRE(decisions.size() == 2);
  CHECK(decisions[0] == json{{"benefit", "ABB"},
                             {"decided_on", "2024-03-15"},
                             {"definitive", true},
                             {"period_from", "2024-03-01"},
                             {"gross_amount_ore", 125000},
                             {"periodicity_code", "1"},
                             {"case_started_on", "2024-03-01"},
                             {"case_active", true}});
  CHECK(decisions[1] == json{{"benefit", "BOB"},
                             {"decided_on", "2026-01-12"},
                             {"definitive", false},
                             {"period_from", "2026-01-01"},
                             {"period_to", "2026-12-31"},
                             {"gross_amount_ore", 185000},
                             {"periodicity_code", "1"},
                             {"case_started_on", "2025-12-01"},
                             {"case_active", true}});
  const auto claims = facts_of(outcome, "benefit.claim");
  REQUIRE(claims.size() == 3);
  CHECK(claims[0] ==
        json{{"benefit_group", "FK:BOB"}, {"received_on", "2025-12-01"}, {"case_active", true}, {"rejected", false}});
  CHECK(claims[1] ==
        json{{"benefit_group", "FK:ABB"}, {"received_on", "2024-03-01"}, {"case_active", true}, {"rejected", false}});
  CHECK(claims[2] == json{{"claim_id", "PM-AP-2026-000123"},
                          {"benefit_group", "PM:AP"},
                          {"received_on", "2026-06-15"},
                          {"period_from", "2026-08-01"}});
  const auto other = facts_of(outcome, "benefit.other_information");
  REQUIRE(other.size() == 1);
  CHECK(other[0] ==
        json{{"information_type", "PM:LINT"}, {"life_certificate_status", "GODKANT"}, {"updated_on", "2026-03-02"}});
  CHECK(outcome.deviations.empty());
  CHECK_FALSE(outcome.protected_identity);
  CHECK(outcome.events.size() == 12);
}

TEST_CASE("FORMANER for a samordningsnummer and for Swedish names copies no name", "[fk][mapping]") {
  const auto samordning = answer("FORMANER", "formaner-197010632391.json");
  const auto payments = facts_of(samordning, "benefit.payment");
  REQUIRE(payments.size() == 1);
  CHECK(payments[0]["gross_amount_ore"] == 842000);
  CHECK(payments[0]["net_amount_ore"] == 589400);
  const auto swedish = answer("FORMANER", "formaner-198507092388.json");
  REQUIRE(facts_of(swedish, "benefit.payment").size() == 1);
  CHECK(facts_of(swedish, "benefit.payment")[0]["tax_amount_ore"] == 340225);
  for (const auto& event : swedish.events) CHECK(event.facts.dump().find("Öberg") == std::string::npos);
}

TEST_CASE("LEFI skyddad sets protected identity on both sources", "[fk][protected]") {
  const auto formaner = answer("FORMANER", "formaner-198112189876.json");
  REQUIRE(formaner.status == SourceStatus::ok);
  CHECK(formaner.protected_identity);
  CHECK(facts_of(formaner, "benefit.payment").size() == 2);
  for (const auto& event : formaner.events) CHECK(event.facts.dump().find("Box") == std::string::npos);
  CHECK(answer("PAGAENDE", "pagaende-198112189876.json").protected_identity);
  CHECK_FALSE(answer("PAGAENDE", "pagaende-191212121212.json").protected_identity);
  CHECK_FALSE(answer("FORMANER", "formaner-197010632391.json").protected_identity);
}

TEST_CASE("avvikelser are reported per item while the answer stays ok", "[fk][avvikelser]") {
  const auto outcome = answer("FORMANER", "formaner-196305024579.json");
  CHECK(outcome.status == SourceStatus::ok);
  CHECK(outcome.events.empty());
  REQUIRE(outcome.deviations.size() == 8);
  CHECK(outcome.deviations[0] == json{{"kind", "partner_reported"},
                                      {"code", "INTERNT_FEL"},
                                      {"description", "Delsystemet svarade inte"},
                                      {"benefit_group", "FK:ABB"}});
  CHECK(outcome.deviations[7]["benefit_group"] == "PM:AP");

  // Forced through /_sim/avvikelser: cases and claims missing, payments still delivered.
  const auto forced = answer("FORMANER", "formaner-avvikelse-forced.json");
  CHECK(forced.status == SourceStatus::ok);
  CHECK(forced.deviations.size() == 8);  // 7 FK case groups + 1 PM claim group
  CHECK(facts_of(forced, "benefit.payment").size() == 6);
  CHECK(facts_of(forced, "benefit.decision").empty());
  CHECK(facts_of(forced, "benefit.claim").empty());
}

TEST_CASE("PAGAENDE maps pending applications to benefit.pending", "[fk][mapping]") {
  const auto outcome = answer("PAGAENDE", "pagaende-191212121212.json");
  REQUIRE(outcome.status == SourceStatus::ok);
  const auto pending = facts_of(outcome, "benefit.pending");
  REQUIRE(pending.size() == 2);
  CHECK(pending[0] == json{{"case_id", "FK-2026-0412345"},
                           {"benefit_group", "FK:SJP"},
                           {"received_on", "2026-10-05"},
                           {"status", "UNDER_HANDLAGGNING"},
                           {"expected_decision_by", "2026-12-01"},
                           {"retroactive_from", "2026-09-28"}});
  CHECK(pending[1] == json{{"case_id", "FK-2026-0398765"},
                           {"benefit_group", "FK:BOB"},
                           {"received_on", "2026-09-14"},
                           {"status", "KOMPLETTERING_BEGARD"},
                           {"completion_requested_on", "2026-10-02"}});
  CHECK(outcome.events[0].occurred_at == "2026-10-05");
  CHECK(answer("PAGAENDE", "pagaende-197010632391.json").events.empty());
}

TEST_CASE("failed exchanges are classified: transport, 5xx, 4xx, malformed", "[fk][classify]") {
  const auto& formaner = mappings().at("FORMANER");
  using knutpunkt::net::TransportError;
  using knutpunkt::net::TransportErrorKind;
  const auto transport = [&](TransportErrorKind kind) {
    return fk::read_reply("FORMANER", std::unexpected(TransportError{kind, "x"}), formaner, {});
  };
  CHECK(transport(TransportErrorKind::timeout).status == SourceStatus::timeout);
  CHECK(transport(TransportErrorKind::connect_failed).status == SourceStatus::unavailable);
  CHECK(transport(TransportErrorKind::connection_lost).status == SourceStatus::unavailable);
  CHECK(transport(TransportErrorKind::too_large).status == SourceStatus::error);
  // The TLS reason is what an operator must fix; it goes to the audit record and the caller.
  const auto tls = fk::read_reply(
      "FORMANER",
      std::unexpected(TransportError{TransportErrorKind::tls_failed, "unable to get local issuer certificate"}),
      formaner, {});
  CHECK(tls.status == SourceStatus::unavailable);
  CHECK(tls.partner_code == "tls_failed");
  CHECK(tls.partner_message.find("unable to get local issuer certificate") != std::string::npos);

  const auto unavailable =
      fk::read_reply("FORMANER", reply(503, R"({"meddelande":"Tjänsten är otillgänglig"})"), formaner, {});
  CHECK(unavailable.status == SourceStatus::unavailable);
  CHECK(unavailable.partner_code == "http_503");
  CHECK(fk::read_reply("FORMANER", reply(500, "<html>"), formaner, {}).status == SourceStatus::unavailable);
  CHECK(fk::read_reply("FORMANER", reply(429, ""), formaner, {}).status == SourceStatus::unavailable);

  const auto too_long = fk::read_reply("FORMANER", reply(400, read_text("error-period-too-long.json")), formaner, {});
  CHECK(too_long.status == SourceStatus::error);
  CHECK(too_long.partner_code == "http_400");
  CHECK(too_long.partner_message.find("längre än två år") != std::string::npos);
  const auto forbidden = fk::read_reply("FORMANER", reply(403, R"({"meddelande":"Ej behörig"})"), formaner, {});
  CHECK(forbidden.status == SourceStatus::error);
  CHECK(forbidden.partner_code == "http_403");

  const auto malformed = fk::read_reply("FORMANER", reply(200, R"({"formansinformation": {)"), formaner, {});
  CHECK(malformed.status == SourceStatus::error);
  CHECK(malformed.partner_code == "malformed_reply");
  CHECK(fk::read_reply("FORMANER", reply(200, "[1,2]"), formaner, {}).partner_code == "malformed_reply");
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  CHECK(fk::read_reply("FORMANER", reply(200, "{\"a\":" + deep + "}"), formaner, {}).partner_code == "malformed_reply");
  const auto big = fk::read_reply("FORMANER", reply(200, read_text("formaner-191212121212.json")), formaner,
                                  fk::ReplyLimits{.max_bytes = 100, .max_depth = 64});
  CHECK(big.partner_code == "reply_too_large");

  const auto unmappable = fk::read_reply(
      "FORMANER",
      reply(
          200,
          R"({"formansinformation":{"utbetalningsuppgift":[{"datum":"2026-13-40","formansfamilj":{"id":"BOB"},"bruttobelopp":{"summa":1}}]}})"),
      formaner, {});
  CHECK(unmappable.status == SourceStatus::error);
  CHECK(unmappable.partner_code == "mapping_failed");
}

TEST_CASE("json_depth counts nesting outside strings only", "[fk][classify]") {
  CHECK(knutpunkt::mapping::json_nesting_depth(R"({"a":[{"b":"[[[[{{{"}]})") == 3);
  CHECK(knutpunkt::mapping::json_nesting_depth(R"("\"[")") == 0);
}

TEST_CASE("the FORMANER request is LEFI's hamtaFormansinformation with bearer token", "[fk][request]") {
  auto config = fk::read_fk_config(valid_config(), "/c", "/");
  REQUIRE(config);
  const auto request = fk::build_request(query("191212121212"), "FORMANER", *config);
  CHECK(request.method == "POST");
  CHECK(request.url.target ==
        "/lefi-extern-formansinformation/v9/aktorer/9255f428-4ba0-63ce-5407-e65d469fac0f/formansinformation/fraga");
  CHECK(std::find(request.headers.begin(), request.headers.end(),
                  std::pair<std::string, std::string>{"Authorization", "Bearer t0k"}) != request.headers.end());
  const auto body = json::parse(request.body);
  CHECK(body["personnummer"] == "191212121212");
  CHECK(body["period"] == json{{"from", "2026-01-01"}, {"tom", "2026-11-24"}});
  CHECK(body["ovrigInformation"] == json::array({"FK:GEPI"}));
  CHECK(body["formansinformation"].size() == 7);

  const auto pending = fk::build_request(query("191212121212"), "PAGAENDE", *config);
  CHECK(pending.url.target == "/fk-pagaende-arenden/v1/aktorer/9255f428-4ba0-63ce-5407-e65d469fac0f/arenden/fraga");
  CHECK(json::parse(pending.body) ==
        json{{"personnummer", "191212121212"}, {"period", {{"from", "2026-01-01"}, {"tom", "2026-11-24"}}}});
  CHECK(request.url.target.find("191212121212") == std::string::npos);

  const auto health = fk::build_health_request(*config);
  CHECK(health.method == "GET");
  CHECK(health.url.target.ends_with("/tillgangligaInformationstyper"));
}

TEST_CASE("config errors name the offending field", "[fk][config]") {
  auto config = valid_config();
  config.erase("endpoint");
  CHECK(config_error_field(config) == "/adapters/2/config/endpoint");
  config = valid_config();
  config["endpoint"] = "ftp://x";
  CHECK(config_error_field(config) == "/adapters/2/config/endpoint");
  config = valid_config();
  config.erase("aktorsid");
  CHECK(config_error_field(config) == "/adapters/2/config/aktorsid");
  config = valid_config();
  config["aktorsid"] = "a/../b";
  CHECK(config_error_field(config) == "/adapters/2/config/aktorsid");
  config = valid_config();
  config["tokne"] = "x";
  CHECK(config_error_field(config) == "/adapters/2/config/tokne");
  config = valid_config();
  config.erase("token");
  CHECK(config_error_field(config) == "/adapters/2/config/token");
  config = valid_config();
  config.erase("token");
  config["token_env"] = "KNUTPUNKT_FK_TOKEN_THAT_IS_NOT_SET";
  CHECK(config_error_field(config) == "/adapters/2/config/token_env");
  config = valid_config();
  config.erase("mappings");
  CHECK(config_error_field(config) == "/adapters/2/config/mappings");
  config = valid_config();
  config["information"] = {{"formansinformation", {"FK:BOB", "PM:AP"}}};
  CHECK(config_error_field(config) == "/adapters/2/config/information/formansinformation/1");
  config = valid_config();
  config["information"] = {{"utbetalning", json::array()}};
  CHECK(config_error_field(config) == "/adapters/2/config/information/utbetalning");
  config = valid_config();
  config["information"] = {{"formansinformation", json::array()},
                           {"ansprak", json::array()},
                           {"utbetalningar", json::array()},
                           {"ovrigInformation", json::array()}};
  CHECK(config_error_field(config) == "/adapters/2/config/information");
  config = valid_config();
  config["source_timeouts_ms"] = {{"FK", 100}};
  CHECK(config_error_field(config) == "/adapters/2/config/source_timeouts_ms/FK");
  config = valid_config();
  config["source_timeout_ms"] = 0;
  CHECK(config_error_field(config) == "/adapters/2/config/source_timeout_ms");
  config = valid_config();
  config["max_reply_bytes"] = 10;
  CHECK(config_error_field(config) == "/adapters/2/config/max_reply_bytes");
}

TEST_CASE("a valid config gives defaults and reads the token from the environment", "[fk][config]") {
  auto config = valid_config();
  config.erase("token");
  config["token_env"] = "KNUTPUNKT_FK_TEST_TOKEN";
  config["source_timeouts_ms"] = {{"PAGAENDE", 1500}};
  ::setenv("KNUTPUNKT_FK_TEST_TOKEN", "from-env", 1);
  auto parsed = fk::read_fk_config(config, "/c", "/");
  REQUIRE(parsed);
  CHECK(parsed->token == "from-env");
  CHECK(parsed->endpoint == "http://127.0.0.1:18083");
  CHECK(parsed->source_timeout == std::chrono::milliseconds{5000});
  CHECK(parsed->source_timeouts.at("PAGAENDE") == std::chrono::milliseconds{1500});
}

TEST_CASE("the forsakringskassan kind is registered and builds from the shipped mappings", "[fk][registration]") {
  const auto* factory = knutpunkt::AdapterRegistry::instance().find("forsakringskassan");
  REQUIRE(factory != nullptr);
  boost::asio::io_context io;
  knutpunkt::net::HttpClient http(io);
  knutpunkt::AdapterContext context{io, http, "/", "/adapters/0/config"};
  auto adapter = (*factory)(valid_config(), context);
  REQUIRE(adapter);
  CHECK((*adapter)->sources() == std::vector<std::string>{"FORMANER", "PAGAENDE"});
  auto missing = valid_config();
  missing["mappings"] = FK_FIXTURE_DIR;  // JSON files, but not mappings
  auto refused = (*factory)(missing, context);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().field == "/adapters/0/config/mappings");
}
