// Outbound: every sip.* outbox type rendered to the region wire format, byte for byte the bodies
// in tests/fixtures/sip_region (which check_fixtures.py holds to the wire schema); the person id
// only inside the plan; no place for a protected person; no content in a consent withdrawal;
// render and config errors naming their field; the kind's registration.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <set>
#include <tuple>

#include "core/adapter_registry.h"
#include "net/http_client.h"
#include "region_config.h"
#include "region_test_support.h"
#include "region_wire.h"
#include "sip_message_sender.h"

namespace region = knutpunkt::sip_region;
using knutpunkt::OutboundMessage;
using knutpunkt::OutboundRequest;
using knutpunkt::RenderError;
using nlohmann::json;
using sip_region_test::fixture;

namespace {

const std::string kMessageId = "0b0f6c2e-8a55-4b1e-9d51-3f0b7c1d2e10";
const std::string kPersonId = "198112189876";  // the example plan's person

region::SipMessageSender sender(const std::string& token = "t0k") {
  json config = {{"endpoint", "http://127.0.0.1:18085/"}};
  if (!token.empty()) config["token"] = token;
  auto parsed = region::read_region_config(config, "/adapters/0/config");
  REQUIRE(parsed);
  return region::SipMessageSender(*parsed);
}

OutboundRequest rendered(const std::string& type, const json& payload, const std::string& token = "t0k") {
  const auto adapter = sender(token);
  auto request = adapter.render(OutboundMessage{kMessageId, type, payload});
  if (!request) FAIL(request.error().code + " at " + request.error().field + ": " + request.error().message);
  return *request;
}

RenderError refused(const std::string& type, const json& payload) {
  auto request = sender().render(OutboundMessage{kMessageId, type, payload});
  REQUIRE_FALSE(request.has_value());
  return request.error();
}

void person_id_only_in_body_plan(const OutboundRequest& request) {
  CHECK(request.path.find(kPersonId) == std::string::npos);
  for (const auto& [name, value] : request.headers) CHECK(value.find(kPersonId) == std::string::npos);
  json body = json::parse(request.body);
  body.erase("plan");
  CHECK(body.dump().find(kPersonId) == std::string::npos);
}

}  // namespace

TEST_CASE("an invitation is a KALLELSE posted to /sip/kallelser, carrying the plan in the region's terms",
          "[sip_region][render]") {
  const auto request = rendered("sip.invitation", fixture("payload-sip.invitation.json"));
  CHECK(request.method == "POST");
  CHECK(request.path == "/sip/kallelser");
  CHECK(request.content_type == "application/json");
  CHECK(json::parse(request.body) == fixture("kallelse.json"));
  CHECK(json::parse(request.body)["plan"]["person"]["identitet"] == kPersonId);
  person_id_only_in_body_plan(request);
}

TEST_CASE("a plan update is PUT to /sip/planer/{planId} with its version", "[sip_region][render]") {
  const auto request = rendered("sip.plan_updated", fixture("payload-sip.plan_updated.json"));
  CHECK(request.method == "PUT");
  CHECK(request.path == "/sip/planer/sip-2026-000042");
  const auto body = json::parse(request.body);
  CHECK(body == fixture("planuppdatering.json"));
  CHECK(body["planversion"] == 7);
  CHECK(body["plan"]["version"] == 7);
  person_id_only_in_body_plan(request);
}

TEST_CASE("notices go to /sip/planer/{planId}/meddelanden without the plan, even when the payload has one",
          "[sip_region][render]") {
  const auto [type, payload_name, expected] = GENERATE(
      std::make_tuple("sip.participant_removed", "payload-sip.participant_removed.json",
                      "meddelande-deltagare-borttagen.json"),
      std::make_tuple("sip.consent_withdrawn", "payload-sip.consent_withdrawn.json",
                      "meddelande-samtycke-aterkallat.json"),
      std::make_tuple("sip.closed", "payload-sip.closed.json", "meddelande-plan-avslutad.json"),
      std::make_tuple("sip.followup_due", "payload-sip.followup_due.json", "meddelande-uppfoljning-forfaller.json"));
  CAPTURE(type);
  auto payload = fixture(payload_name);
  const auto plain = rendered(type, payload);
  CHECK(plain.method == "POST");
  CHECK(plain.path == "/sip/planer/sip-2026-000042/meddelanden");
  CHECK(json::parse(plain.body) == fixture(expected));

  // A payload that (wrongly) carries the plan still sends none of it.
  payload["plan"] = fixture("payload-sip.invitation.json")["plan"];
  const auto with_plan = rendered(type, payload);
  CHECK(json::parse(with_plan.body) == fixture(expected));
  CHECK(with_plan.body.find(kPersonId) == std::string::npos);
}

TEST_CASE("a consent withdrawal carries the envelope only: plan, when, from whom, to whom", "[sip_region][render]") {
  auto payload = fixture("payload-sip.consent_withdrawn.json");
  payload["protected_identity"] = true;
  payload["reason"] = "klienten återkallade";
  payload["followup_due"] = "2027-01-15";
  const auto body = json::parse(rendered("sip.consent_withdrawn", payload).body);
  std::set<std::string> keys;
  for (const auto& [key, _] : body.items()) keys.insert(key);
  CHECK(keys == std::set<std::string>{"meddelandeId", "meddelandetyp", "planId", "planversion", "skapad", "avsandare",
                                      "mottagare"});
  CHECK(body["meddelandetyp"] == "SAMTYCKE_ATERKALLAT");
  CHECK(body["skapad"] == "2026-11-02T10:30:00.000Z");
  CHECK(body["avsandare"]["deltagarId"] == "p-kommun-1");
}

TEST_CASE("a protected person's plan is marked and carries no meeting place even if the payload has one",
          "[sip_region][render][protected]") {
  const auto type = GENERATE(as<std::string>{}, "sip.invitation", "sip.plan_updated");
  auto payload = fixture("payload-sip.invitation-protected.json");
  REQUIRE(payload["plan"]["meeting"]["place"].is_string());
  const auto request = rendered(type, payload);
  const auto body = json::parse(request.body);
  CHECK(body["skyddadePersonuppgifter"] == true);
  CHECK_FALSE(body["plan"]["mote"].contains("plats"));
  CHECK(body["plan"]["mote"]["tidpunkt"] == "2026-10-08T13:00:00.000Z");
  CHECK(request.body.find(payload["plan"]["meeting"]["place"].get<std::string>()) == std::string::npos);
  if (type == "sip.invitation") CHECK(body == fixture("kallelse-skyddad.json"));

  // The same plan for a person without protection keeps its venue.
  payload["protected_identity"] = false;
  CHECK(json::parse(rendered(type, payload).body)["plan"]["mote"]["plats"] == payload["plan"]["meeting"]["place"]);
}

TEST_CASE("every notice to a protected person's plan is marked, except the content-free withdrawal",
          "[sip_region][render][protected]") {
  for (const auto& [type, name] : {std::pair{"sip.participant_removed", "payload-sip.participant_removed.json"},
                                   std::pair{"sip.closed", "payload-sip.closed.json"},
                                   std::pair{"sip.followup_due", "payload-sip.followup_due.json"}}) {
    auto payload = fixture(name);
    payload["protected_identity"] = true;
    CHECK(json::parse(rendered(type, payload).body)["skyddadePersonuppgifter"] == true);
  }
  auto withdrawal = fixture("payload-sip.consent_withdrawn.json");
  withdrawal["protected_identity"] = true;
  CHECK_FALSE(json::parse(rendered("sip.consent_withdrawn", withdrawal).body).contains("skyddadePersonuppgifter"));
}

TEST_CASE("the bearer token is the only header the adapter adds, and none without a token", "[sip_region][render]") {
  const auto payload = fixture("payload-sip.invitation.json");
  const auto with_token = rendered("sip.invitation", payload, "s3cret");
  REQUIRE(with_token.headers.size() == 1);
  CHECK(with_token.headers[0] == std::pair<std::string, std::string>{"Authorization", "Bearer s3cret"});
  CHECK(rendered("sip.invitation", payload, "").headers.empty());
}

TEST_CASE("rendering is deterministic, so every retry sends the same bytes", "[sip_region][render]") {
  const auto payload = fixture("payload-sip.plan_updated.json");
  CHECK(rendered("sip.plan_updated", payload).body == rendered("sip.plan_updated", payload).body);
}

TEST_CASE("a type the region does not take is refused as unsupported_type", "[sip_region][render][errors]") {
  const auto type = GENERATE(as<std::string>{}, "referral.requested", "sip.reply_received", "sip.invited", "");
  const auto error = refused(type, fixture("payload-sip.invitation.json"));
  CHECK(error.code == "unsupported_type");
  CHECK(error.field == "/type");
}

TEST_CASE("a missing or malformed field is refused naming it", "[sip_region][render][errors]") {
  struct Case {
    std::string type;
    std::string payload;
    std::string pointer;  // removed, or set to `value`
    json value;           // discarded: remove the member
    std::string code;
    std::string field;
  };
  const json gone = json::value_t::discarded;
  const auto c = GENERATE_COPY(values<Case>({
      {"sip.invitation", "payload-sip.invitation.json", "/plan_id", gone, "value_missing", "/plan_id"},
      {"sip.invitation", "payload-sip.invitation.json", "/plan_version", gone, "value_missing", "/plan_version"},
      {"sip.invitation", "payload-sip.invitation.json", "/plan_version", 0, "value_invalid", "/plan_version"},
      {"sip.invitation", "payload-sip.invitation.json", "/created_at", "2026-10-08 15:00", "value_invalid", "/created_at"},
      {"sip.invitation", "payload-sip.invitation.json", "/protected_identity", gone, "value_missing", "/protected_identity"},
      {"sip.invitation", "payload-sip.invitation.json", "/protected_identity", "no", "value_invalid", "/protected_identity"},
      {"sip.invitation", "payload-sip.invitation.json", "/recipient/participant_id", gone, "value_missing",
       "/recipient/participant_id"},
      {"sip.invitation", "payload-sip.invitation.json", "/recipient/organisation", gone, "value_missing",
       "/recipient/organisation"},
      {"sip.invitation", "payload-sip.invitation.json", "/recipient", gone, "value_missing", "/recipient"},
      {"sip.invitation", "payload-sip.invitation.json", "/sender/participant_id", gone, "value_missing",
       "/sender/participant_id"},
      {"sip.invitation", "payload-sip.invitation.json", "/plan", gone, "value_missing", "/plan"},
      {"sip.plan_updated", "payload-sip.plan_updated.json", "/plan", gone, "value_missing", "/plan"},
      {"sip.invitation", "payload-sip.invitation.json", "/plan/plan_id", "sip-other", "value_invalid", "/plan/plan_id"},
      {"sip.plan_updated", "payload-sip.plan_updated.json", "/plan/version", 6, "value_invalid", "/plan/version"},
      {"sip.invitation", "payload-sip.invitation.json", "/plan/status", "planned", "value_invalid", "/plan/status"},
      {"sip.invitation", "payload-sip.invitation.json", "/plan/person", gone, "value_missing", "/plan/person"},
      {"sip.invitation", "payload-sip.invitation.json", "/plan/participants/1/organisation_kind", "landsting",
       "value_invalid", "/plan/participants/1/organisation_kind"},
      {"sip.invitation", "payload-sip.invitation.json", "/plan/insatser/0/start_date", "2026-13-01", "value_invalid",
       "/plan/insatser/0/start_date"},
      {"sip.invitation", "payload-sip.invitation.json", "/plan/meeting/at", gone, "value_missing", "/plan/meeting/at"},
      {"sip.closed", "payload-sip.closed.json", "/reason", gone, "value_missing", "/reason"},
      {"sip.closed", "payload-sip.closed.json", "/reason", "", "value_invalid", "/reason"},
      {"sip.followup_due", "payload-sip.followup_due.json", "/followup_due", gone, "value_missing", "/followup_due"},
      {"sip.followup_due", "payload-sip.followup_due.json", "/followup_due", "15 jan", "value_invalid", "/followup_due"},
      {"sip.participant_removed", "payload-sip.participant_removed.json", "/plan_id", "sip/../x", "value_invalid",
       "/plan_id"},
      // A plan id that looks like a personnummer would put a person id in the path.
      {"sip.consent_withdrawn", "payload-sip.consent_withdrawn.json", "/plan_id", "198112189876", "value_invalid",
       "/plan_id"},
  }));
  CAPTURE(c.type, c.pointer);
  auto payload = fixture(c.payload);
  const json::json_pointer pointer(c.pointer);
  if (c.value.is_discarded())
    payload[pointer.parent_pointer()].erase(pointer.back());
  else
    payload[pointer] = c.value;
  const auto error = refused(c.type, payload);
  CHECK(error.code == c.code);
  CHECK(error.field == c.field);
}

TEST_CASE("render errors carry no payload values", "[sip_region][render][errors]") {
  auto payload = fixture("payload-sip.invitation.json");
  payload["plan"]["person"]["kind"] = "198112189876";
  const auto error = refused("sip.invitation", payload);
  CHECK(error.field == "/plan/person/kind");
  CHECK(error.message.find("198112189876") == std::string::npos);
}

TEST_CASE("config errors name the offending field", "[sip_region][config]") {
  const std::string at = "/adapters/2/config";
  const auto error_of = [&](const json& config) {
    auto parsed = region::read_region_config(config, at);
    REQUIRE_FALSE(parsed.has_value());
    return parsed.error().field;
  };
  CHECK(error_of(json::array()) == at);
  CHECK(error_of(json::object()) == at + "/endpoint");
  CHECK(error_of({{"endpoint", "ftp://region"}}) == at + "/endpoint");
  CHECK(error_of({{"endpoint", 42}}) == at + "/endpoint");
  CHECK(error_of({{"endpoint", "http://region"}, {"tokn", "x"}}) == at + "/tokn");
  CHECK(error_of({{"endpoint", "http://region"}, {"token", ""}}) == at + "/token");
  CHECK(error_of({{"endpoint", "http://region"}, {"token_env", "KNUTPUNKT_TEST_SURELY_UNSET_9F3A"}}) ==
        at + "/token_env");
  CHECK(error_of({{"endpoint", "http://region"}, {"token", "a"}, {"token_env", "HOME"}}) == at + "/token_env");
  CHECK(error_of({{"endpoint", "http://region"}, {"max_report_bytes", 10}}) == at + "/max_report_bytes");
}

TEST_CASE("a valid config trims the endpoint and reads the token from the environment", "[sip_region][config]") {
  ::setenv("KNUTPUNKT_TEST_REGION_TOKEN", "from-env", 1);
  auto parsed = region::read_region_config(
      {{"endpoint", "http://127.0.0.1:9/api/"}, {"token_env", "KNUTPUNKT_TEST_REGION_TOKEN"}, {"max_report_bytes", 2048}},
      "/x");
  REQUIRE(parsed);
  CHECK(parsed->endpoint == "http://127.0.0.1:9/api");
  CHECK(parsed->token == "from-env");
  CHECK(parsed->max_report_bytes == 2048);
}

TEST_CASE("the sip_region kind registers an outbound and an inbound facet from one config", "[sip_region][registry]") {
  auto& registry = knutpunkt::AdapterRegistry::instance();
  const auto* outbound = registry.find_outbound("sip_region");
  const auto* inbound = registry.find_inbound("sip_region");
  REQUIRE(outbound);
  REQUIRE(inbound);
  boost::asio::io_context io;
  knutpunkt::net::HttpClient http(io);
  knutpunkt::AdapterContext context{io, http, "/", "/adapters/3/config"};
  const json config = {{"endpoint", "http://127.0.0.1:18085"}};
  auto sender_facet = (*outbound)(config, context);
  REQUIRE(sender_facet);
  CHECK((*sender_facet)->endpoint() == "http://127.0.0.1:18085");
  CHECK((*inbound)(config, context).has_value());
  auto bad = (*outbound)(json{{"endpoint", "nope"}}, context);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().field == "/adapters/3/config/endpoint");
}
