// The configuration's delivery sections (roles, webhooks, routes, delivery) and the rule that
// every error names its field by JSON pointer.
#include "config/gateway_config.h"

#include <stdlib.h>

#include <catch2/catch.hpp>

#include "core/adapter_registry.h"

using namespace knutpunkt;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Stand-in kinds so the tests do not depend on which partner adapters are linked: one that
// only answers lookups, one that delivers messages and accepts reports (as Jobbtorg does).
// Never built here: parse_config only checks that the kind exists and which facets it has.
std::expected<std::unique_ptr<LookupAdapter>, ConfigError> no_lookup(const json&, AdapterContext&) {
  return std::unexpected(ConfigError{"", "not built in tests"});
}
std::expected<std::unique_ptr<OutboundAdapter>, ConfigError> no_outbound(const json&, AdapterContext&) {
  return std::unexpected(ConfigError{"", "not built in tests"});
}
const LookupAdapterRegistration lookup_kind{"test_lookup", no_lookup};
std::expected<std::unique_ptr<InboundAdapter>, ConfigError> no_inbound(const json&, AdapterContext&) {
  return std::unexpected(ConfigError{"", "not built in tests"});
}
const OutboundAdapterRegistration outbound_kind{"test_outbound", no_outbound};
const InboundAdapterRegistration inbound_kind{"test_outbound", no_inbound};

const std::string kHash = "2f35a18fc6803126a7e0a3e88173ba44fca9e2b5c5956ba4227b7fd2c105aa52";

json valid_config() {
  return json::parse(R"({
    "server": {"host": "127.0.0.1", "port": 0, "plain_http": true},
    "store": {"kind": "sqlite", "path": "k.db"},
    "purposes": {"ekonomiskt_bistand": {"description": "Handläggning av ekonomiskt bistånd"}},
    "organisations": [
      {"id": "stockholm-socialtjanst", "name": "Stockholms stad, socialtjänsten", "municipality": "0180",
       "units": ["Enskede-Årsta-Vantör, ekonomiskt bistånd"]},
      {"id": "stockholm-jobbtorg", "name": "Stockholms stad, Jobbtorg Stockholm", "municipality": "0180",
       "units": ["Jobbtorg Söderort"]}
    ],
    "clients": [
      {"id": "stockholm-ekb", "token_sha256": ")" +
                     kHash + R"(", "purposes": ["ekonomiskt_bistand"],
       "roles": ["case_system"], "operations": ["lookup:ssbtek", "referral"], "organisation": "stockholm-socialtjanst"},
      {"id": "operator", "token_sha256": ")" +
                     kHash + R"(", "purposes": [], "roles": ["operator"]},
      {"id": "jobbtorg-sodra", "token_sha256": ")" +
                     kHash + R"(", "purposes": [], "roles": ["partner"],
       "partner_adapter": "jobbtorg-sodra"}
    ],
    "adapters": [
      {"name": "ssbtek", "kind": "test_lookup", "config": {},
       "policy": {"purposes": ["ekonomiskt_bistand"], "legal_basis": "consent", "max_period_months": 18}},
      {"name": "jobbtorg-sodra", "kind": "test_outbound", "config": {},
       "delivery": {"timeout_ms": 5000, "max_in_flight": 4,
                    "retry": {"max_attempts": 30, "max_age_s": 3600, "initial_backoff_ms": 500, "multiplier": 3.0,
                              "max_backoff_ms": 60000, "jitter": 0.1, "max_retry_after_s": 120},
                    "breaker": {"failure_threshold": 7, "open_ms": 15000}}}
    ],
    "webhooks": [
      {"name": "stockholm-ekb-webhook", "client": "stockholm-ekb", "url": "http://127.0.0.1:18083/webhook",
       "secret": "demo-webhook-secret-stockholm-ekb",
       "delivery": {"retry": {"max_attempts": 9}}}
    ],
    "routes": [
      {"name": "söderort", "match": {"types": ["referral.requested"], "municipalities": ["0180"],
                                     "districts": ["Enskede", "Farsta"]},
       "to": ["jobbtorg-sodra"]},
      {"name": "events", "match": {"types": ["referral.*"], "clients": ["stockholm-ekb"]},
       "to": ["stockholm-ekb-webhook"]}
    ]
  })");
}

// Parses a variant of the valid config that must fail, and returns the error.
ConfigError refused(const json& doc) {
  auto parsed = parse_config(doc, "/etc/knutpunkt");
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error();
}

}  // namespace

TEST_CASE("roles, delivery settings, webhooks and routes are read into typed settings") {
  auto parsed = parse_config(valid_config(), "/etc/knutpunkt");
  INFO((parsed ? std::string() : parsed.error().field + ": " + parsed.error().message));
  REQUIRE(parsed.has_value());
  const GatewayConfig& cfg = *parsed;

  REQUIRE(cfg.clients.size() == 3);
  CHECK(cfg.clients[0].roles == std::set<std::string>{kRoleCaseSystem});
  CHECK(cfg.clients[1].roles == std::set<std::string>{kRoleOperator});
  CHECK(cfg.clients[2].roles == std::set<std::string>{kRolePartner});
  CHECK(cfg.clients[2].partner_adapter == "jobbtorg-sodra");
  CHECK(cfg.clients[0].operations == std::set<std::string>{"lookup:ssbtek", "referral"});
  CHECK(cfg.clients[0].may(kOperationLookup, "ssbtek"));
  CHECK_FALSE(cfg.clients[0].may(kOperationLookup, "af"));
  CHECK(cfg.clients[0].may(kOperationReferral));
  CHECK_FALSE(cfg.clients[0].may(kOperationAtersokning));
  CHECK(cfg.clients[1].operations.empty());

  const policy::ExchangePolicy& policy = cfg.adapters[0].policy;
  CHECK(policy.purposes == std::set<std::string>{"ekonomiskt_bistand"});
  CHECK(policy.legal_basis == policy::LegalBasis::consent);
  CHECK(policy.max_period == std::chrono::months{18});
  // Without a policy: law, two years, any of the client's purposes.
  CHECK(cfg.adapters[1].policy.legal_basis == policy::LegalBasis::law);
  CHECK(cfg.adapters[1].policy.max_period == std::chrono::months{24});
  CHECK(cfg.adapters[1].policy.purposes.empty());

  REQUIRE(cfg.adapters.size() == 2);
  const auto& d = cfg.adapters[1].delivery;
  CHECK(d.name == "jobbtorg-sodra");
  CHECK(d.timeout == 5000ms);
  CHECK(d.max_in_flight == 4);
  CHECK(d.retry.max_attempts == 30);
  CHECK(d.retry.max_age == 3600s);
  CHECK(d.retry.initial_backoff == 500ms);
  CHECK(d.retry.multiplier == 3.0);
  CHECK(d.retry.max_backoff == 60000ms);
  CHECK(d.retry.jitter == 0.1);
  CHECK(d.retry.max_retry_after == 120s);
  CHECK(d.breaker.failure_threshold == 7);
  CHECK(d.breaker.open_for == 15000ms);

  REQUIRE(cfg.webhooks.size() == 1);
  const WebhookConfig& w = cfg.webhooks[0];
  CHECK(w.name == "stockholm-ekb-webhook");
  CHECK(w.client == "stockholm-ekb");
  CHECK(w.url == "http://127.0.0.1:18083/webhook");
  CHECK(w.secret == "demo-webhook-secret-stockholm-ekb");
  CHECK(w.delivery.name == "stockholm-ekb-webhook");
  CHECK(w.delivery.retry.max_attempts == 9);
  // Unset fields keep the defaults.
  const delivery::DestinationSettings defaults;
  CHECK(w.delivery.retry.initial_backoff == defaults.retry.initial_backoff);
  CHECK(w.delivery.breaker.failure_threshold == defaults.breaker.failure_threshold);

  REQUIRE(cfg.routes.size() == 2);
  CHECK(cfg.routes[0].name == "söderort");
  CHECK(cfg.routes[0].types == std::vector<std::string>{"referral.requested"});
  CHECK(cfg.routes[0].municipalities == std::set<std::string>{"0180"});
  CHECK(cfg.routes[0].districts == std::set<std::string>{"Enskede", "Farsta"});
  CHECK(cfg.routes[0].clients.empty());
  CHECK(cfg.routes[0].to == std::vector<std::string>{"jobbtorg-sodra"});
  CHECK(cfg.routes[1].clients == std::set<std::string>{"stockholm-ekb"});
  CHECK(cfg.routes[1].to == std::vector<std::string>{"stockholm-ekb-webhook"});
}

TEST_CASE("a route's referral time limits are read per rule; a rule without them has the defaults") {
  auto doc = valid_config();
  doc["routes"][0]["time_limits"] = {{"not_enrolled_days", 7}, {"first_visit_days", 10}, {"plan_followup", false}};
  auto parsed = parse_config(doc, "/etc/knutpunkt");
  REQUIRE(parsed.has_value());
  REQUIRE(parsed->route_time_limits.size() == 2);
  CHECK(parsed->route_time_limits[0].not_enrolled_days == 7);
  CHECK(parsed->route_time_limits[0].first_visit_days == 10);
  CHECK_FALSE(parsed->route_time_limits[0].plan_followup);
  CHECK_FALSE(parsed->route_time_limits[1].not_enrolled_days.has_value());
  CHECK(parsed->route_time_limits[1].first_visit_days == 14);
  CHECK(parsed->route_time_limits[1].plan_followup);

  doc["routes"][0]["time_limits"] = {{"first_visit_days", 0}};
  CHECK(refused(doc).field == "/routes/0/time_limits/first_visit_days");
  doc["routes"][0]["time_limits"] = {{"decision_days", 3}};
  CHECK(refused(doc).field == "/routes/0/time_limits/decision_days");
}

TEST_CASE("a client without roles is a case system; webhooks and routes may be left out") {
  auto doc = valid_config();
  doc["clients"][0].erase("roles");
  doc.erase("webhooks");
  doc.erase("routes");
  doc["adapters"][1].erase("delivery");
  auto parsed = parse_config(doc, "/etc/knutpunkt");
  REQUIRE(parsed.has_value());
  CHECK(parsed->clients[0].roles == std::set<std::string>{kRoleCaseSystem});
  CHECK(parsed->webhooks.empty());
  CHECK(parsed->routes.empty());
  CHECK(parsed->adapters[1].delivery.name == "jobbtorg-sodra");
}

TEST_CASE("a webhook secret may come from the environment") {
  auto doc = valid_config();
  doc["webhooks"][0].erase("secret");
  doc["webhooks"][0]["secret_env"] = "KNUTPUNKT_TEST_WEBHOOK_SECRET";
  REQUIRE(setenv("KNUTPUNKT_TEST_WEBHOOK_SECRET", "a-secret-from-the-environment", 1) == 0);
  auto parsed = parse_config(doc, "/etc/knutpunkt");
  REQUIRE(parsed.has_value());
  CHECK(parsed->webhooks[0].secret == "a-secret-from-the-environment");

  REQUIRE(unsetenv("KNUTPUNKT_TEST_WEBHOOK_SECRET") == 0);
  CHECK(refused(doc).field == "/webhooks/0/secret_env");
}

TEST_CASE("a route to something that is neither a delivering adapter nor a webhook names the destination") {
  auto doc = valid_config();
  doc["routes"][0]["to"] = {"no-such-destination"};
  CHECK(refused(doc).field == "/routes/0/to/0");

  doc = valid_config();
  doc["routes"][1]["to"] = {"stockholm-ekb-webhook", "ssbtek"};  // a lookup adapter delivers nothing
  CHECK(refused(doc).field == "/routes/1/to/1");

  doc = valid_config();
  doc["routes"][0]["to"] = json::array();
  CHECK(refused(doc).field == "/routes/0/to");

  doc = valid_config();
  doc["routes"][0].erase("to");
  CHECK(refused(doc).field == "/routes/0/to");
}

TEST_CASE("errors inside a route's match name the field and the element") {
  auto doc = valid_config();
  doc["routes"][0]["match"]["districts"] = {"Enskede", 7};
  CHECK(refused(doc).field == "/routes/0/match/districts/1");

  doc = valid_config();
  doc["routes"][1]["match"]["colour"] = "blue";
  CHECK(refused(doc).field == "/routes/1/match/colour");

  doc = valid_config();
  doc["routes"][0]["match"] = "referral.requested";
  CHECK(refused(doc).field == "/routes/0/match");

  doc = valid_config();
  doc["routes"] = json::object();
  CHECK(refused(doc).field == "/routes");
}

TEST_CASE("webhook errors name the webhook's field") {
  auto doc = valid_config();
  doc["webhooks"][0]["secret"] = "too-short";
  CHECK(refused(doc).field == "/webhooks/0/secret");

  doc = valid_config();
  doc["webhooks"][0].erase("secret");
  CHECK(refused(doc).field == "/webhooks/0/secret");

  doc = valid_config();
  doc["webhooks"][0]["client"] = "someone-else";
  CHECK(refused(doc).field == "/webhooks/0/client");

  doc = valid_config();
  doc["webhooks"][0]["url"] = "ftp://127.0.0.1/hook";
  CHECK(refused(doc).field == "/webhooks/0/url");

  doc = valid_config();
  doc["webhooks"].push_back(doc["webhooks"][0]);
  doc["webhooks"][1]["name"] = "jobbtorg-sodra";  // an adapter's name already
  CHECK(refused(doc).field == "/webhooks/1/name");

  doc = valid_config();
  doc["webhooks"][0]["delivery"]["retry"]["max_attempts"] = 0;
  CHECK(refused(doc).field == "/webhooks/0/delivery/retry/max_attempts");

  doc = valid_config();
  doc["webhooks"][0]["headers"] = json::object();
  CHECK(refused(doc).field == "/webhooks/0/headers");
}

TEST_CASE("operations are granted one by one, and errors name the client's field") {
  auto doc = valid_config();
  doc["clients"][0].erase("operations");
  CHECK(refused(doc).field == "/clients/0/operations");
  doc["clients"][0]["operations"] = {"lookup:*", "export"};
  CHECK(refused(doc).field == "/clients/0/operations/1");
  doc["clients"][0]["operations"] = {"lookup:nope"};
  auto unknown = refused(doc);
  CHECK(unknown.field == "/clients/0/operations");
  CHECK(unknown.message.find("nope") != std::string::npos);
  doc["clients"][0]["operations"] = {"lookup:jobbtorg-sodra"};  // delivers referrals, answers no lookups
  CHECK(refused(doc).field == "/clients/0/operations");
  doc = valid_config();
  doc["clients"][1]["operations"] = {"referral"};
  CHECK(refused(doc).field == "/clients/1/operations");
  doc = valid_config();
  doc["clients"][0]["operations"] = {"lookup:*"};
  auto any = parse_config(doc, "/etc/knutpunkt");
  REQUIRE(any.has_value());
  CHECK(any->clients[0].may(kOperationLookup, "whatever"));
}

TEST_CASE("exchange policy errors name the adapter's policy field") {
  auto doc = valid_config();
  doc["adapters"][0]["policy"] = {{"legal_basis", "samtycke"}};
  CHECK(refused(doc).field == "/adapters/0/policy/legal_basis");
  doc["adapters"][0]["policy"] = {{"max_period_months", 0}};
  CHECK(refused(doc).field == "/adapters/0/policy/max_period_months");
  doc["adapters"][0]["policy"] = {{"max_period_months", 121}};
  CHECK(refused(doc).field == "/adapters/0/policy/max_period_months");
  doc["adapters"][0]["policy"] = {{"purposes", {"forskning"}}};
  CHECK(refused(doc).field == "/adapters/0/policy/purposes/0");
  doc["adapters"][0]["policy"] = {{"consent", true}};
  CHECK(refused(doc).field == "/adapters/0/policy/consent");
  doc["adapters"][0]["policy"] = "consent";
  CHECK(refused(doc).field == "/adapters/0/policy");
}

TEST_CASE("client role errors name the client's field") {
  auto doc = valid_config();
  doc["clients"][2].erase("partner_adapter");
  CHECK(refused(doc).field == "/clients/2/partner_adapter");

  doc = valid_config();
  doc["clients"][1]["roles"] = {"operator", "admin"};
  CHECK(refused(doc).field == "/clients/1/roles");

  doc = valid_config();
  doc["clients"][1]["roles"] = json::array();
  CHECK(refused(doc).field == "/clients/1/roles");
}

TEST_CASE("a partner client whose partner_adapter names no adapter is refused at that client's field") {
  auto doc = valid_config();
  doc["clients"][2]["partner_adapter"] = "jobbtorg-norr";
  const auto error = refused(doc);
  CHECK(error.field == "/clients/2/partner_adapter");

  // An adapter that accepts no reports cannot be a partner's.
  doc = valid_config();
  doc["clients"][2]["partner_adapter"] = "ssbtek";
  CHECK(refused(doc).field == "/clients/2/partner_adapter");
}

TEST_CASE("a webhook must belong to a case system and must not share a name with any adapter") {
  auto doc = valid_config();
  doc["webhooks"][0]["client"] = "operator";
  CHECK(refused(doc).field == "/webhooks/0/client");

  doc = valid_config();
  doc["webhooks"][0]["name"] = "ssbtek";  // a lookup adapter: not a destination, but the name is taken
  CHECK(refused(doc).field == "/webhooks/0/name");
}

TEST_CASE("delivery errors name the adapter's delivery field") {
  auto doc = valid_config();
  doc["adapters"][1]["delivery"]["retry"]["jitter"] = 1.5;
  CHECK(refused(doc).field == "/adapters/1/delivery/retry/jitter");

  doc = valid_config();
  doc["adapters"][1]["delivery"]["retry"]["jitter"] = "0.2";
  CHECK(refused(doc).field == "/adapters/1/delivery/retry/jitter");

  doc = valid_config();
  doc["adapters"][1]["delivery"]["retry"]["initial_backoff_ms"] = 5000;
  doc["adapters"][1]["delivery"]["retry"]["max_backoff_ms"] = 1000;
  CHECK(refused(doc).field == "/adapters/1/delivery/retry/max_backoff_ms");

  doc = valid_config();
  doc["adapters"][1]["delivery"]["breaker"]["open_after"] = 3;
  CHECK(refused(doc).field == "/adapters/1/delivery/breaker/open_after");

  doc = valid_config();
  doc["adapters"][1]["delivery"]["breaker"]["failure_threshold"] = 0;
  CHECK(refused(doc).field == "/adapters/1/delivery/breaker/failure_threshold");

  doc = valid_config();
  doc["adapters"][1]["delivery"]["max_in_flight"] = 0;
  CHECK(refused(doc).field == "/adapters/1/delivery/max_in_flight");

  doc = valid_config();
  doc["adapters"][1]["delivery"]["retry"] = 5;
  CHECK(refused(doc).field == "/adapters/1/delivery/retry");

  // A lookup-only kind has nothing to deliver, so a delivery section is a mistake.
  doc = valid_config();
  doc["adapters"][0]["delivery"] = {{"timeout_ms", 1000}};
  CHECK(refused(doc).field == "/adapters/0/delivery");

  doc = valid_config();
  doc["adapters"][1]["kind"] = "no_such_kind";
  CHECK(refused(doc).field == "/adapters/1/kind");
}

TEST_CASE("every refusal names a pointer that exists in the document or is the parent of a missing field") {
  // A small sweep: each mutation must be refused with a pointer whose parent exists in the doc.
  const std::vector<std::pair<std::string, json>> mutations = {
      {"/webhooks/0/secret", "short"},
      {"/routes/1/to/0", "nowhere"},
      {"/adapters/1/delivery/retry/multiplier", 0.5},
      {"/adapters/1/delivery/timeout_ms", 10},
      {"/clients/0/roles/0", "root"},
  };
  for (const auto& [pointer, value] : mutations) {
    auto doc = valid_config();
    doc[json::json_pointer(pointer)] = value;
    const auto error = refused(doc);
    INFO(pointer << " -> " << error.field << ": " << error.message);
    CHECK(error.field.rfind(pointer.substr(0, pointer.rfind('/')), 0) == 0);
    CHECK(doc.contains(json::json_pointer(error.field)));
    CHECK_FALSE(error.message.empty());
  }
}

TEST_CASE("every case system belongs to a configured organisation; cases and consents are grants of their own") {
  auto parsed = parse_config(valid_config(), "/etc/knutpunkt");
  REQUIRE(parsed.has_value());
  REQUIRE(parsed->organisations.size() == 2);
  CHECK(parsed->organisations[0].id == "stockholm-socialtjanst");
  CHECK(parsed->organisations[0].municipality == "0180");
  CHECK(parsed->organisations[0].units == std::set<std::string>{"Enskede-Årsta-Vantör, ekonomiskt bistånd"});
  CHECK(parsed->clients[0].organisation == "stockholm-socialtjanst");
  // A partner speaks for its agency through its adapter: no organisation here.
  CHECK(parsed->clients[2].organisation.empty());
  // Looking up grants no case or consent: those are granted one by one.
  CHECK_FALSE(parsed->clients[0].may(kOperationCaseRegister));
  CHECK_FALSE(parsed->clients[0].may(kOperationConsentRecord));

  auto doc = valid_config();
  doc["clients"][0]["operations"] = {"lookup:ssbtek", "case:register", "consent:record"};
  auto granted = parse_config(doc, "/etc/knutpunkt");
  REQUIRE(granted.has_value());
  CHECK(granted->clients[0].may(kOperationCaseRegister));
  CHECK(granted->clients[0].may(kOperationConsentRecord));

  doc = valid_config();
  doc["clients"][0]["organisation"] = "stockholm";
  auto unknown = refused(doc);
  CHECK(unknown.field == "/clients/0/organisation");
  CHECK(unknown.message.find("/organisations") != std::string::npos);
  doc["clients"][0].erase("organisation");
  CHECK(refused(doc).field == "/clients/0/organisation");
  doc = valid_config();
  doc["clients"][0].erase("roles");  // a case system by default: still needs its organisation
  doc["clients"][0].erase("organisation");
  CHECK(refused(doc).field == "/clients/0/organisation");

  doc = valid_config();
  doc["organisations"][1]["municipality"] = "180";
  CHECK(refused(doc).field == "/organisations/1/municipality");
  doc = valid_config();
  doc["organisations"][1]["id"] = "stockholm-socialtjanst";
  CHECK(refused(doc).field == "/organisations/1/id");
  doc = valid_config();
  doc["organisations"][0]["units"] = json::array();
  CHECK(refused(doc).field == "/organisations/0/units");
  doc = valid_config();
  doc["organisations"][0]["kommun"] = "Stockholm";
  CHECK(refused(doc).field == "/organisations/0/kommun");
  doc = valid_config();
  doc["clients"][0]["operations"] = {"case:*"};
  CHECK(refused(doc).field == "/clients/0/operations/0");
}

TEST_CASE("console sign-in limits and session timeouts are read, with defaults when left out") {
  auto doc = valid_config();
  auto defaults = parse_config(doc, "/etc/knutpunkt");
  REQUIRE(defaults.has_value());
  CHECK(defaults->sign_in.max_failures_per_user == 5);
  CHECK(defaults->sign_in.max_failures_per_address == 20);
  CHECK(defaults->sign_in.failure_window == 15min);
  CHECK(defaults->sign_in.session_idle == 15min);
  CHECK(defaults->sign_in.session_lifetime == 8h);

  doc["console"] = json::parse(R"({"static_dir": "console", "sign_in": {"max_failures_per_user": 3,
    "max_failures_per_address": 12, "failure_window_s": 600, "max_tracked": 500, "session_idle_s": 300,
    "session_lifetime_s": 3600}})");
  auto parsed = parse_config(doc, "/etc/knutpunkt");
  REQUIRE(parsed.has_value());
  CHECK(parsed->sign_in.max_failures_per_user == 3);
  CHECK(parsed->sign_in.max_failures_per_address == 12);
  CHECK(parsed->sign_in.failure_window == 10min);
  CHECK(parsed->sign_in.max_tracked == 500);
  CHECK(parsed->sign_in.session_idle == 5min);
  CHECK(parsed->sign_in.session_lifetime == 1h);

  doc["console"]["sign_in"]["session_lifetime_s"] = 120;
  CHECK(refused(doc).field == "/console/sign_in/session_lifetime_s");
  doc["console"]["sign_in"].erase("session_lifetime_s");
  doc["console"]["sign_in"]["max_failures_per_address"] = 2;
  CHECK(refused(doc).field == "/console/sign_in/max_failures_per_address");
}

TEST_CASE("an https webhook without tls is refused, naming the webhook's tls field") {
  auto doc = valid_config();
  doc["webhooks"][0]["url"] = "https://case-system.example/webhook";
  CHECK(refused(doc).field == "/webhooks/0/tls");

  doc["webhooks"][0]["tls"] = json::object();
  CHECK(refused(doc).field == "/webhooks/0/tls/ca_file");

  doc["webhooks"][0]["tls"] = {{"ca_file", "ca/case-system.pem"}};
  auto parsed = parse_config(doc, "/etc/knutpunkt");
  REQUIRE(parsed);
  REQUIRE(parsed->webhooks[0].tls);
  CHECK(parsed->webhooks[0].tls->ca_file == "/etc/knutpunkt/ca/case-system.pem");
}

TEST_CASE("a postgresql store is read with its password from the environment, never from the connection string") {
  auto doc = valid_config();
  doc["store"] = {{"kind", "postgresql"},
                  {"connection", "host=127.0.0.1 port=5433 dbname=knutpunkt user=knutpunkt"},
                  {"password_env", "KNUTPUNKT_TEST_DB_PASSWORD"},
                  {"pool_size", 4}};
  REQUIRE(setenv("KNUTPUNKT_TEST_DB_PASSWORD", "a-database-password", 1) == 0);
  auto parsed = parse_config(doc, "/etc/knutpunkt");
  REQUIRE(parsed.has_value());
  CHECK(parsed->store.kind == "postgresql");
  CHECK(parsed->store.postgres.connection == "host=127.0.0.1 port=5433 dbname=knutpunkt user=knutpunkt");
  CHECK(parsed->store.postgres.password == std::optional<std::string>("a-database-password"));
  CHECK(parsed->store.postgres.pool_size == 4);
  REQUIRE(unsetenv("KNUTPUNKT_TEST_DB_PASSWORD") == 0);
  CHECK(refused(doc).field == "/store/password_env");

  doc["store"].erase("password_env");
  for (const char* with_password :
       {"host=127.0.0.1 dbname=knutpunkt password=secret", "postgresql://knutpunkt:secret@127.0.0.1/knutpunkt"}) {
    doc["store"]["connection"] = with_password;
    const ConfigError error = refused(doc);
    CHECK(error.field == "/store/connection");
    // The refusal names the problem without repeating the secret.
    CHECK(error.message.find("secret") == std::string::npos);
  }
  doc["store"]["connection"] = "host=127.0.0.1 dbname='unterminated";
  CHECK(refused(doc).field == "/store/connection");
}

TEST_CASE("a postgresql store on another machine needs verified TLS; a local one may go without") {
  auto doc = valid_config();
  doc["store"] = {{"kind", "postgresql"}, {"connection", "host=db.kommun.example dbname=knutpunkt sslmode=require"}};
  const ConfigError unverified = refused(doc);
  CHECK(unverified.field == "/store/connection");
  CHECK(unverified.message.find("verify-full") != std::string::npos);

  doc["store"]["connection"] = "host=127.0.0.1,db.kommun.example dbname=knutpunkt";
  CHECK(refused(doc).field == "/store/connection");

  for (const char* accepted : {"host=db.kommun.example dbname=knutpunkt sslmode=verify-full sslrootcert=/etc/ca.pem",
                               "host=/run/postgresql dbname=knutpunkt", "host=::1 dbname=knutpunkt",
                               "postgresql://knutpunkt@localhost/knutpunkt"}) {
    doc["store"]["connection"] = accepted;
    INFO(accepted);
    CHECK(parse_config(doc, "/etc/knutpunkt").has_value());
  }
}

TEST_CASE("a store's fields belong to its kind") {
  auto doc = valid_config();
  doc["store"]["connection"] = "host=127.0.0.1";
  CHECK(refused(doc).field == "/store/connection");

  doc["store"] = {{"kind", "postgresql"}, {"connection", "host=127.0.0.1"}, {"path", "k.db"}};
  CHECK(refused(doc).field == "/store/path");

  doc["store"] = {{"kind", "postgresql"}};
  CHECK(refused(doc).field == "/store/connection");

  doc["store"] = {{"kind", "mysql"}, {"path", "k.db"}};
  CHECK(refused(doc).field == "/store/kind");
}

TEST_CASE("attendance thresholds and the summary's grace are read, with defaults when left out") {
  auto doc = valid_config();
  auto defaults = parse_config(doc, "/etc/knutpunkt");
  REQUIRE(defaults.has_value());
  CHECK(defaults->attendance.absence_flag_threshold == 3);
  CHECK(defaults->attendance.summary_grace_days == 5);
  CHECK(defaults->attendance.summary_interval == 300s);

  doc["attendance"] = json::parse(R"({"absence_flag_threshold": 2, "summary_grace_days": 0,
    "summary_interval_seconds": 1})");
  auto parsed = parse_config(doc, "/etc/knutpunkt");
  REQUIRE(parsed.has_value());
  CHECK(parsed->attendance.absence_flag_threshold == 2);
  CHECK(parsed->attendance.summary_grace_days == 0);
  CHECK(parsed->attendance.summary_interval == 1s);

  doc["attendance"]["absence_flag_threshold"] = 0;
  CHECK(refused(doc).field == "/attendance/absence_flag_threshold");
  doc["attendance"]["absence_flag_threshold"] = 3;
  doc["attendance"]["summary_grace_days"] = 61;
  CHECK(refused(doc).field == "/attendance/summary_grace_days");
  doc["attendance"].erase("summary_grace_days");
  doc["attendance"]["flag_after_days"] = 3;
  CHECK(refused(doc).field == "/attendance/flag_after_days");
}
