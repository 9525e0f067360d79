#include "gateway_harness.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/digest.h"
#include "http/personal_data_in_url.h"
#include "store/sqlite/sqlite_store.h"

namespace knutpunkt::testing {

std::filesystem::path gateway_binary() {
  return KNUTPUNKT_GATEWAY_BIN;
}
std::filesystem::path repo_root() {
  return KNUTPUNKT_REPO_ROOT;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return condition();
}

const std::vector<std::string>& test_persons() {
  static const std::vector<std::string> persons{"191212121212", "198112189876", "197010632391", "196305024579",
                                                "198507092388"};
  return persons;
}

nlohmann::json full_lookup_request(const std::string& person) {
  return {
      {"person", person},
      {"case_id", kStandingCase},
      {"purpose", "ekonomiskt_bistand"},
      {"legal_basis", "11 kap. 11 § SoL"},
      {"period", {{"from", "2026-08-01"}, {"to", "2026-10-31"}}},
      {"sources", kAllSources},
      {"caseworker", {{"id", "hand-0042"}, {"unit", "Enskede-Årsta-Vantör"}}},
  };
}

namespace {

// The gateway could not bind the port chosen for it before the simulators that call it back
// were started: another process took the port in between.
struct GatewayPortTaken : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace

bool gateway_bind_refused(const std::filesystem::path& stderr_file) {
  std::ifstream in(stderr_file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.find("Address already in use") != std::string::npos;
}

GatewayHarness::GatewayHarness(const std::string& name, HarnessOptions options)
    : dir_(std::filesystem::path(KNUTPUNKT_TEST_RUN_DIR) / name) {
  // Tests run in parallel, and a port chosen in advance can be taken before the gateway binds
  // it: then everything starts again on another port.
  for (int attempt = 1;; ++attempt) {
    try {
      start(options);
      return;
    } catch (const GatewayPortTaken&) {
      if (attempt == 3) throw;
      gateway_.reset();
      region_simulator_.reset();
      fk_simulator_.reset();
      af_simulator_.reset();
      simulator_.reset();
    }
  }
}

void GatewayHarness::start(const HarnessOptions& options) {
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);

  simulator_ = std::make_unique<ChildProcess>(
      KNUTPUNKT_SIMULATOR_BIN,
      std::vector<std::string>{"--port", "0", "--port-file", (dir_ / "simulator.port").string()}, dir_ / "simulator");
  auto sim_port = wait_for_port_file(dir_ / "simulator.port", *simulator_);
  if (!sim_port) throw std::runtime_error("simulator did not start; see " + dir_.string());

  std::optional<int> af_port;
  std::optional<int> fk_port;
  // Försäkringskassan calls the gateway back (decisions), so it must know the gateway's port first.
  const unsigned short gateway_port = options.with_af_fk || options.with_sip_region ? free_loopback_port() : 0;
  if (options.with_af_fk) {
    af_simulator_ = std::make_unique<ChildProcess>(
        KNUTPUNKT_AF_SIMULATOR_BIN,
        std::vector<std::string>{"--port", "0", "--port-file", (dir_ / "af.port").string(), "--token",
                                 "test-token-at-af"},
        dir_ / "af-simulator");
    af_port = wait_for_port_file(dir_ / "af.port", *af_simulator_);
    fk_simulator_ = std::make_unique<ChildProcess>(
        KNUTPUNKT_FK_SIMULATOR_BIN,
        std::vector<std::string>{"--port", "0", "--port-file", (dir_ / "fk.port").string(), "--token",
                                 "test-token-at-fk", "--aktorsid", "STHLM-EKB-0001", "--gateway",
                                 "http://127.0.0.1:" + std::to_string(gateway_port), "--gateway-token", kFkPartnerToken,
                                 "--notify-delay-ms", "100"},
        dir_ / "fk-simulator");
    fk_port = wait_for_port_file(dir_ / "fk.port", *fk_simulator_);
    if (!af_port || !fk_port) throw std::runtime_error("AF or FK simulator did not start; see " + dir_.string());
    af_simulator = std::make_unique<httplib::Client>("127.0.0.1", *af_port);
    fk_simulator = std::make_unique<httplib::Client>("127.0.0.1", *fk_port);
  }

  std::optional<int> region_port;
  if (options.with_sip_region) {
    region_simulator_ = std::make_unique<ChildProcess>(
        KNUTPUNKT_REGION_SIMULATOR_BIN,
        std::vector<std::string>{
            "--port", "0", "--port-file", (dir_ / "region.port").string(), "--token", "test-token-at-region",
            "--gateway", "http://127.0.0.1:" + std::to_string(gateway_port), "--gateway-token", kRegionPartnerToken,
            "--adapter", "region-stockholm", "--auto-reply", options.region_auto_reply, "--reply-delay-ms", "100"},
        dir_ / "region-simulator");
    region_port = wait_for_port_file(dir_ / "region.port", *region_simulator_);
    if (!region_port) throw std::runtime_error("region SIP simulator did not start; see " + dir_.string());
    region_simulator = std::make_unique<httplib::Client>("127.0.0.1", *region_port);
    region_simulator->set_read_timeout(15, 0);
  }

  nlohmann::json timeouts = nlohmann::json::object();
  for (const auto& [source, ms] : options.source_timeouts_ms) timeouts[source] = ms;
  nlohmann::json config = {
      {"server",
       {{"host", "127.0.0.1"},
        {"port", gateway_port},
        {"threads", 2},
        {"max_body_bytes", options.max_body_bytes},
        {"plain_http", true}}},
      {"store", {{"kind", "sqlite"}, {"path", (dir_ / "knutpunkt.db").string()}}},
      {"log", {{"level", "debug"}, {"file", gateway_log().string()}}},
      {"lookup", {{"deadline_ms", options.lookup_deadline_ms}}},
      {"purposes",
       {{"ekonomiskt_bistand", {{"description", "Handläggning av ekonomiskt bistånd enligt 4 kap. 1 § SoL"}}},
        {"arbetsmarknadsinsats", {{"description", "Planering av arbetsmarknadsinsats"}}}}},
      // Two authorities of one municipality (social services, and Jobbtorg under the labour-market
      // board) and a neighbouring municipality's social services.
      {"organisations",
       {{{"id", "stockholm-socialtjanst"},
         {"name", "Stockholms stad, socialtjänsten"},
         {"municipality", "0180"},
         {"units", {"Enskede-Årsta-Vantör"}}},
        {{"id", "stockholm-jobbtorg"},
         {"name", "Stockholms stad, Jobbtorg Stockholm"},
         {"municipality", "0180"},
         {"units", {"Jobbtorg Söderort"}}},
        {{"id", "huddinge-socialtjanst"},
         {"name", "Huddinge kommun, socialtjänsten"},
         {"municipality", "0126"},
         {"units", {"Ekonomiskt bistånd Huddinge"}}}}},
      {"clients",
       {{{"id", "case-system"},
         {"token_sha256", sha256_hex(kCaseSystemToken)},
         {"purposes", {"ekonomiskt_bistand", "arbetsmarknadsinsats"}},
         {"organisation", "stockholm-socialtjanst"},
         {"operations", {"lookup:*", "referral", "atersokning", "case:register", "consent:record"}}},
        {{"id", "other-client"},
         {"token_sha256", sha256_hex(kOtherClientToken)},
         {"purposes", {"arbetsmarknadsinsats"}},
         {"organisation", "stockholm-jobbtorg"},
         {"operations", {"lookup:ssbtek"}}},
        {{"id", "neighbour-case-system"},
         {"token_sha256", sha256_hex(kNeighbourCaseSystemToken)},
         {"purposes", {"ekonomiskt_bistand", "arbetsmarknadsinsats"}},
         {"organisation", "huddinge-socialtjanst"},
         {"operations", {"lookup:*", "case:register", "consent:record"}}},
        {{"id", "audit-machine"},
         {"token_sha256", sha256_hex(kAuditorToken)},
         {"purposes", nlohmann::json::array()},
         {"roles", {"auditor"}}},
        {{"id", "operator-machine"},
         {"token_sha256", sha256_hex(kOperatorToken)},
         {"purposes", nlohmann::json::array()},
         {"roles", {"operator"}}}}},
      // 1000 iterations keep sign-in fast in tests; production hashes use 600,000.
      {"users",
       {{{"id", kAuditorUser},
         {"name", "Anna Revisor"},
         {"roles", {"auditor"}},
         {"password_hash",
          "pbkdf2-sha256$1000$6b6e7574700000000000000000000001$"
          "f9fa31418a0f48d06b8d4bd0b865ec4d4204b863f467fc5698a21f3c163c301e"}},
        {{"id", kAdminUser},
         {"name", "Maria Admin"},
         {"roles", {"admin"}},
         {"password_hash",
          "pbkdf2-sha256$1000$6b6e7574700000000000000000000002$"
          "33d7a816c8b0b2a4f1942b251d57a04916bd2e2273ebca827978c62c53ef5a70"}},
        {{"id", kSecondAdminUser},
         {"name", "Erik Admin"},
         {"roles", {"admin"}},
         {"password_hash",
          "pbkdf2-sha256$1000$6b6e7574700000000000000000000003$"
          "a5fa87c1c6153465517184133a3780a967336dbdaccdd15448044cdd0d3c8228"}}}},
      {"audit",
       {{"signing_key", (dir_ / "audit-signing-key.pem").string()},
        {"export_dir", (dir_ / "exports").string()},
        {"instance_id", "knutpunkt-test"},
        {"retention_days", options.audit_retention_days}}},
      {"console", {{"static_dir", (repo_root() / "gateway/console/static").string()}}},
      {"adapters",
       {{{"name", "ssbtek"},
         {"kind", "ssbtek"},
         {"config",
          {{"endpoint", "http://127.0.0.1:" + std::to_string(*sim_port) + "/ssbtek"},
           {"ingivare", {{"organisationsnummer", "162120000142"}, {"namn", "Stockholms stad"}}},
           {"fk_aktorsid", "STHLM-EKB-0001"},
           {"schema", (repo_root() / "schemas/ssbtek/ssbtek-v10.xsd").string()},
           {"mappings", (repo_root() / "mappings/ssbtek").string()},
           {"source_timeout_ms", options.source_timeout_ms},
           {"source_timeouts_ms", timeouts}}},
         {"policy", {{"purposes", {"ekonomiskt_bistand"}}, {"legal_basis", "law"}, {"max_period_months", 24}}}}}},
  };
  if (!options.ssbtek_exchange.empty()) config["adapters"][0]["config"]["exchange"] = options.ssbtek_exchange;
  if (options.readiness_refresh_ms > 0) config["server"]["readiness_refresh_ms"] = options.readiness_refresh_ms;
  if (options.with_af_fk) {
    config["clients"].push_back({{"id", "fk-partner"},
                                 {"token_sha256", sha256_hex(kFkPartnerToken)},
                                 {"purposes", nlohmann::json::array()},
                                 {"roles", {"partner"}},
                                 {"partner_adapter", "forsakringskassan"}});
    config["adapters"].push_back(
        {{"name", "arbetsformedlingen"},
         {"kind", "arbetsformedlingen"},
         {"config",
          {{"endpoint", "http://127.0.0.1:" + std::to_string(*af_port) + "/arbetssokande/v1"},
           {"token", "test-token-at-af"},
           {"mappings", (repo_root() / "mappings/arbetsformedlingen").string()}}},
         {"policy", {{"purposes", {"ekonomiskt_bistand", "arbetsmarknadsinsats"}}, {"legal_basis", "consent"}}}});
    config["adapters"].push_back(
        {{"name", "forsakringskassan"},
         {"kind", "forsakringskassan"},
         {"config",
          {{"endpoint", "http://127.0.0.1:" + std::to_string(*fk_port)},
           {"aktorsid", "STHLM-EKB-0001"},
           {"token", "test-token-at-fk"},
           {"mappings", (repo_root() / "mappings/forsakringskassan").string()}}},
         {"policy", {{"purposes", {"ekonomiskt_bistand"}}, {"legal_basis", "law"}, {"max_period_months", 24}}},
         {"delivery", {{"retry", {{"initial_backoff_ms", 50}, {"max_backoff_ms", 200}}}}}});
    config["routes"] = {{{"name", "återsökningar to FK"},
                         {"match", {{"types", {"atersokning.requested"}}}},
                         {"to", {"forsakringskassan"}}}};
  }
  if (options.with_sip_region) {
    config["clients"][0]["operations"].push_back("sip");
    config["clients"].push_back({{"id", "region-partner"},
                                 {"token_sha256", sha256_hex(kRegionPartnerToken)},
                                 {"purposes", nlohmann::json::array()},
                                 {"roles", {"partner"}},
                                 {"partner_adapter", "region-stockholm"}});
    config["adapters"].push_back(
        {{"name", "region-stockholm"},
         {"kind", "sip_region"},
         {"config",
          {{"endpoint", "http://127.0.0.1:" + std::to_string(*region_port)}, {"token", "test-token-at-region"}}},
         {"delivery",
          {{"retry", {{"initial_backoff_ms", 100}, {"max_backoff_ms", 300}, {"max_attempts", 200}}},
           {"breaker", {{"failure_threshold", 1000}}}}}});
    config["sip"] = {
        {"meeting_within_days", 7},
        {"reminder_interval_seconds", 1},
        {"participant_systems", {{{"organisation", "region-stockholm/"}, {"adapter", "region-stockholm"}}}}};
  }
  tls_ = options.tls;
  if (tls_) {
    make_tls_files(options.server_certificate_days);
    config["server"].erase("plain_http");
    config["server"]["tls"] = {{"certificate", (tls_dir() / "server.crt").string()},
                               {"key", (tls_dir() / "server.key").string()},
                               {"client_ca_file", (tls_dir() / "client-ca.pem").string()}};
  }
  if (options.edit_config) options.edit_config(config);
  std::ofstream(dir_ / "config.json") << config.dump(2);
  std::string keygen_output;
  if (run_command({gateway_binary().string(), "audit", "keygen", "--private", (dir_ / "audit-signing-key.pem").string(),
                   "--public", audit_public_key().string()},
                  keygen_output) != 0) {
    throw std::runtime_error("knutpunkt audit keygen failed: " + keygen_output);
  }

  if (options.before_gateway_starts) options.before_gateway_starts(db_path());
  gateway_ =
      std::make_unique<ChildProcess>(gateway_binary(),
                                     std::vector<std::string>{"serve", "--config", (dir_ / "config.json").string(),
                                                              "--port-file", (dir_ / "gateway.port").string()},
                                     dir_ / "gateway");
  auto port = wait_for_port_file(dir_ / "gateway.port", *gateway_);
  if (!port && gateway_port != 0 && gateway_bind_refused(dir_ / "gateway.err")) {
    throw GatewayPortTaken("port " + std::to_string(gateway_port) + " was taken before the gateway bound it");
  }
  if (!port) throw std::runtime_error("gateway did not start; see " + dir_.string());

  port_ = static_cast<unsigned short>(*port);
  gateway_client_ = new_client();
  gateway_client_->set_read_timeout(30, 0);
  simulator_client_ = std::make_unique<httplib::Client>("127.0.0.1", *sim_port);

  auto standing = register_case(kStandingCase, test_persons());
  if (standing.status != 201 && standing.status != 200) {
    throw std::runtime_error("the standing case was not registered: " + std::to_string(standing.status));
  }
}

void GatewayHarness::make_tls_files(int server_certificate_days) {
  std::filesystem::create_directories(tls_dir());
  server_ca_ = std::make_unique<test_pki::Authority>("knutpunkt test server CA");
  client_ca_ = std::make_unique<test_pki::Authority>("knutpunkt test client CA");
  test_pki::write_public(tls_dir() / "server-ca.pem", server_ca_->certificate_pem());
  test_pki::write_public(tls_dir() / "client-ca.pem", client_ca_->certificate_pem());
  test_pki::Request server;
  server.common_name = "localhost";
  server.dns_names = {"localhost"};
  server.ip_addresses = {"127.0.0.1"};
  server.validity = {-std::chrono::hours(1), std::chrono::hours(24) * server_certificate_days};
  test_pki::write(tls_dir(), "server", server_ca_->issue(server));
  test_pki::Request client;
  client.common_name = "Ekonomiskt bistånd, ärendesystem";
  client.organisation = "Stockholms stad";
  client.serial_number = "2120000142";
  client.server = false;
  test_pki::write(tls_dir(), "case-system", client_ca_->issue(client));
}

std::unique_ptr<httplib::Client> GatewayHarness::new_client(bool with_certificate) const {
  if (!tls_) return std::make_unique<httplib::Client>("127.0.0.1", port_);
  const std::string url = "https://localhost:" + std::to_string(port_);
  auto client = with_certificate ? std::make_unique<httplib::Client>(url, (tls_dir() / "case-system.crt").string(),
                                                                     (tls_dir() / "case-system.key").string())
                                 : std::make_unique<httplib::Client>(url);
  client->set_ca_cert_path((tls_dir() / "server-ca.pem").string().c_str());
  client->enable_server_certificate_verification(true);
  return client;
}

HttpReply GatewayHarness::register_case(const std::string& case_id, const std::vector<std::string>& household,
                                        const std::string& status, const std::string& token) {
  const nlohmann::json body = {{"status", status}, {"unit", "Enskede-Årsta-Vantör"}, {"household", household}};
  return put("/v1/cases/" + case_id, body.dump(), {{"Authorization", "Bearer " + token}});
}

HttpReply GatewayHarness::lookup_at(const std::string& adapter, const nlohmann::json& body, const std::string& token) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  return post("/v1/lookups/" + adapter, body.dump(), headers);
}

GatewayHarness::~GatewayHarness() {
  gateway_.reset();
  simulator_.reset();
  af_simulator_.reset();
  fk_simulator_.reset();
  region_simulator_.reset();
}

HttpReply to_reply(const httplib::Result& result) {
  if (!result) throw std::runtime_error("no HTTP answer: " + httplib::to_string(result.error()));
  HttpReply reply;
  reply.status = result->status;
  reply.content_type = result->get_header_value("Content-Type");
  reply.body = nlohmann::json::parse(result->body, nullptr, false);
  reply.text = result->body;
  return reply;
}

std::vector<AuditRecord> read_audit_records(const std::filesystem::path& db) {
  auto store = open_sqlite_store(db);
  if (!store) throw std::runtime_error("cannot open the store: " + store.error().message);
  std::vector<AuditRecord> records;
  auto scanned = (*store)->scan_audit(1, [&](const AuditRecord& r) {
    records.push_back(r);
    return true;
  });
  if (!scanned) throw std::runtime_error("cannot scan the audit log: " + scanned.error().message);
  return records;
}

HttpReply GatewayHarness::lookup(const nlohmann::json& body, const std::string& token) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  return post("/v1/lookups/ssbtek", body.dump(), headers);
}

void check_no_personnummer_in_request_line(const std::string& target) {
  const auto found = knutpunkt::http::find_person_ids_in_url(target);
  INFO("request line target, numbers masked: " << found.masked_target);
  CHECK_FALSE(found.found());
}

HttpReply GatewayHarness::post(const std::string& path, const std::string& body, const httplib::Headers& headers,
                               const std::string& content_type) {
  check_no_personnummer_in_request_line(path);
  return to_reply(gateway_client_->Post(path.c_str(), headers, body, content_type.c_str()));
}

HttpReply GatewayHarness::get(const std::string& path) {
  check_no_personnummer_in_request_line(path);
  return to_reply(gateway_client_->Get(path.c_str()));
}

HttpReply GatewayHarness::get_as_operator(const std::string& path) {
  return get_with(path, {{"Authorization", std::string("Bearer ") + kOperatorToken}});
}

HttpReply GatewayHarness::get_with(const std::string& path, const httplib::Headers& headers) {
  check_no_personnummer_in_request_line(path);
  return to_reply(gateway_client_->Get(path.c_str(), headers));
}

HttpReply GatewayHarness::get_with_personal_data_in_url(const std::string& path, const httplib::Headers& headers) {
  return to_reply(gateway_client_->Get(path.c_str(), headers));
}

HttpReply GatewayHarness::put(const std::string& path, const std::string& body, const httplib::Headers& headers) {
  check_no_personnummer_in_request_line(path);
  return to_reply(gateway_client_->Put(path.c_str(), headers, body, "application/json"));
}

HttpReply GatewayHarness::del(const std::string& path, const httplib::Headers& headers) {
  check_no_personnummer_in_request_line(path);
  return to_reply(gateway_client_->Delete(path.c_str(), headers));
}

void GatewayHarness::inject(const std::string& source, const nlohmann::json& fault) {
  auto result = simulator_client_->Put(("/_sim/faults/" + source).c_str(), fault.dump(), "application/json");
  if (!result || result->status >= 300) throw std::runtime_error("simulator refused the fault");
}

void GatewayHarness::clear_faults() {
  simulator_client_->Delete("/_sim/faults");
}

nlohmann::json GatewayHarness::simulator_stats() {
  auto result = simulator_client_->Get("/_sim/stats");
  if (!result || result->status != 200) throw std::runtime_error("the simulator gave no stats");
  return nlohmann::json::parse(result->body);
}

void GatewayHarness::stop_simulator() {
  simulator_->terminate();
}
void GatewayHarness::stop_gateway() {
  gateway_->terminate();
}

std::optional<int> GatewayHarness::wait_for_gateway_exit(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (gateway_->running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return gateway_->exit_code();
}

std::vector<AuditRecord> GatewayHarness::audit_records() {
  return read_audit_records(db_path());
}

pid_t GatewayHarness::gateway_pid() const {
  return gateway_->pid();
}

std::vector<AuditRecord> GatewayHarness::audit_records_for(const std::string& lookup_id) {
  std::vector<AuditRecord> matching;
  for (auto& r : audit_records()) {
    if (r.body.value("lookup_id", "") == lookup_id) matching.push_back(std::move(r));
  }
  return matching;
}

}  // namespace knutpunkt::testing
