#include "referral_harness.h"

#include <fstream>
#include <stdexcept>

#include "core/clock.h"
#include "core/digest.h"
#include "relative_dates.h"

namespace knutpunkt::testing {
namespace {

nlohmann::json json_of(const httplib::Result& result, const char* what) {
  if (!result || result->status >= 300) throw std::runtime_error(std::string("simulator refused: ") + what);
  return nlohmann::json::parse(result->body, nullptr, false);
}

}  // namespace

nlohmann::json referral_request(const std::string& case_id, const std::string& district) {
  return {{"case_id", case_id},
          {"municipality", "0180"},
          {"unit", "Skärholmen ekonomiskt bistånd"},
          {"district", district},
          {"person_id", "19121212-1212"},
          {"caseworker", {{"id", "hl-4711"}, {"name", "Karin Handläggare"}}},
          {"purpose", "arbetsmarknadsinsats"},
          {"target_group", "ARBETSFOR_STOD"},
          {"forsorjningshinder", "ARBETSLOS_INGEN_ERSATTNING"},
          {"extent_hours_per_week", 20},
          {"start_date", "2026-12-01"},
          {"consent_reference", kStandingConsent}};
}

ReferralHarness::ReferralHarness(const std::string& name, ReferralHarnessOptions options)
    : dir_(std::filesystem::path(KNUTPUNKT_TEST_RUN_DIR) / name), options_(options) {
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);

  case_system_ = std::make_unique<ChildProcess>(
      KNUTPUNKT_CASE_SYSTEM_BIN,
      std::vector<std::string>{"--port", "0", "--port-file", (dir_ / "case_system.port").string(), "--secret",
                               kWebhookSecret},
      dir_ / "case_system");
  auto cs_port = wait_for_port_file(dir_ / "case_system.port", *case_system_);
  if (!cs_port) throw std::runtime_error("case system simulator did not start; see " + dir_.string());
  case_system_port_ = *cs_port;

  // The gateway's port must be known before Jobbtorg starts (it reports back there), so the
  // gateway gets a fixed free port found now and kept across restarts. Tests run in parallel, and
  // that port can be taken before the gateway binds it: then Jobbtorg and the gateway start again
  // on another one.
  for (int attempt = 1;; ++attempt) {
    std::filesystem::remove(dir_ / "jobbtorg.port");
    gateway_port_ = free_loopback_port();
    std::vector<std::string> jobbtorg_args{"--port",
                                           "0",
                                           "--port-file",
                                           (dir_ / "jobbtorg.port").string(),
                                           "--token",
                                           kKnutpunktAtJobbtorg,
                                           "--gateway",
                                           "http://127.0.0.1:" + std::to_string(gateway_port_),
                                           "--gateway-token",
                                           kJobbtorgToken,
                                           "--adapter",
                                           "jobbtorg-sodra",
                                           "--reports",
                                           options.reports ? "auto" : "off",
                                           "--report-delay-ms",
                                           std::to_string(options.report_delay_ms),
                                           "--attendance-days",
                                           std::to_string(options.attendance_days),
                                           "--ogiltig-streak",
                                           std::to_string(options.ogiltig_streak)};
    if (options.correct_day >= 0) {
      jobbtorg_args.push_back("--correct-day");
      jobbtorg_args.push_back(std::to_string(options.correct_day));
    }
    if (options.followup_days > 0) {
      jobbtorg_args.push_back("--followup-days");
      jobbtorg_args.push_back(std::to_string(options.followup_days));
    }
    if (!options.assessments.empty()) {
      jobbtorg_args.push_back("--assessments");
      jobbtorg_args.push_back(options.assessments);
    }
    jobbtorg_ = std::make_unique<ChildProcess>(KNUTPUNKT_JOBBTORG_SIMULATOR_BIN, jobbtorg_args, dir_ / "jobbtorg");
    auto jt_port = wait_for_port_file(dir_ / "jobbtorg.port", *jobbtorg_);
    if (!jt_port) throw std::runtime_error("jobbtorg simulator did not start; see " + dir_.string());
    jobbtorg_port_ = *jt_port;

    const nlohmann::json delivery = {
        {"timeout_ms", 2000},
        {"max_in_flight", options.max_in_flight},
        {"retry",
         {{"max_attempts", options.max_attempts},
          {"initial_backoff_ms", options.initial_backoff_ms},
          {"max_backoff_ms", options.max_backoff_ms},
          {"multiplier", 2.0},
          {"jitter", 0.1},
          {"max_retry_after_s", 5}}},
        {"breaker", {{"failure_threshold", options.breaker_threshold}, {"open_ms", options.breaker_open_ms}}}};
    nlohmann::json config = {
        {"server",
         {{"host", "127.0.0.1"}, {"port", gateway_port_}, {"threads", options.server_threads}, {"plain_http", true}}},
        {"store", {{"kind", "sqlite"}, {"path", db_path().string()}}},
        {"log", {{"level", "debug"}, {"file", (dir_ / "gateway.log").string()}}},
        {"purposes",
         {{"ekonomiskt_bistand", {{"description", "Handläggning av ekonomiskt bistånd enligt 4 kap. 1 § SoL"}}},
          {"arbetsmarknadsinsats", {{"description", "Planering av arbetsmarknadsinsats"}}}}},
        {"organisations",
         {{{"id", "stockholm-socialtjanst"},
           {"name", "Stockholms stad, socialtjänsten"},
           {"municipality", "0180"},
           {"units", {"Skärholmen ekonomiskt bistånd"}}},
          {{"id", "stockholm-jobbtorg"},
           {"name", "Stockholms stad, Jobbtorg Stockholm"},
           {"municipality", "0180"},
           {"units", {"Jobbtorg Söderort"}}}}},
        {"clients",
         {{{"id", "case-system"},
           {"token_sha256", sha256_hex(kCaseSystemToken)},
           {"purposes", {"ekonomiskt_bistand", "arbetsmarknadsinsats"}},
           {"organisation", "stockholm-socialtjanst"},
           {"operations", {"referral", "case:register", "consent:record"}}},
          {{"id", "other-client"},
           {"token_sha256", sha256_hex(kOtherClientToken)},
           {"purposes", {"ekonomiskt_bistand", "arbetsmarknadsinsats"}},
           {"organisation", "stockholm-jobbtorg"},
           {"operations", nlohmann::json::array()}},
          {{"id", "jobbtorg-sodra"},
           {"token_sha256", sha256_hex(kJobbtorgToken)},
           {"purposes", nlohmann::json::array()},
           {"roles", {"partner"}},
           {"partner_adapter", "jobbtorg-sodra"}},
          {{"id", "operator"},
           {"token_sha256", sha256_hex(kOperatorToken)},
           {"purposes", nlohmann::json::array()},
           {"roles", {"operator"}}}}},
        {"adapters",
         {{{"name", "jobbtorg-sodra"},
           {"kind", "jobbtorg"},
           {"config",
            {{"endpoint", "http://127.0.0.1:" + std::to_string(jobbtorg_port_) + "/api/v1"},
             {"token", kKnutpunktAtJobbtorg},
             {"mappings", (repo_root() / "mappings/jobbtorg").string()}}},
           {"delivery", delivery}}}},
        {"webhooks",
         {{{"name", "case-system-webhook"},
           {"client", "case-system"},
           {"url", "http://127.0.0.1:" + std::to_string(case_system_port_) + "/webhook"},
           {"secret", kWebhookSecret},
           {"delivery", delivery}}}},
        {"routes",
         {{{"name", "Söderort"},
           {"match",
            {{"types", {"referral.requested"}}, {"municipalities", {"0180"}}, {"districts", {"skarholmen", "farsta"}}}},
           {"to", {"jobbtorg-sodra"}}},
          {{"name", "events to the case system"},
           {"match", {{"types", {"referral.*", "assessment.*", "delivery.failed"}}}},
           {"to", {"case-system-webhook"}}}}},
    };
    if (!options.attendance.is_null()) config["attendance"] = options.attendance;
    if (!options.time_limits.is_null()) config["routes"][0]["time_limits"] = options.time_limits;
    if (options.moved_clock) config["sip"] = {{"reminder_interval_seconds", 1}};
    std::ofstream(dir_ / "config.json") << config.dump(2);
    if (launch_gateway()) break;
    const auto err = dir_ / ("gateway" + std::to_string(gateway_starts_) + ".err");
    if (attempt == 3 || !gateway_bind_refused(err)) {
      throw std::runtime_error("gateway did not start; see " + dir_.string());
    }
    gateway_.reset();
    jobbtorg_.reset();
  }
  jobbtorg_client_ = std::make_unique<httplib::Client>("127.0.0.1", jobbtorg_port_);
  case_system_client_ = std::make_unique<httplib::Client>("127.0.0.1", case_system_port_);
  // Referrals are held to an open case with the person in its household, like lookups.
  const nlohmann::json standing = {
      {"status", "open"}, {"unit", "Skärholmen ekonomiskt bistånd"}, {"household", {"191212121212"}}};
  auto registered = to_reply(gateway_client_->Put("/v1/cases/EB-2026-000123",
                                                  {{"Authorization", std::string("Bearer ") + kCaseSystemToken}},
                                                  standing.dump(), "application/json"));
  if (registered.status != 201) throw std::runtime_error("the standing case was not registered");
  // Referrals rest on a consent the case system recorded for Jobbtorg; dates from the clock.
  const nlohmann::json consent = {{"person_id", "191212121212"},        {"partner", "jobbtorg"},
                                  {"information_types", {"ANVISNING"}}, {"given_at", date_from_today(-7)},
                                  {"expires_at", date_from_today(365)}, {"document_reference", "SAM-2026-0042"},
                                  {"case_id", "EB-2026-000123"}};
  auto recorded =
      to_reply(gateway_client_->Post("/v1/consents", {{"Authorization", std::string("Bearer ") + kCaseSystemToken}},
                                     consent.dump(), "application/json"));
  if (recorded.status != 201) throw std::runtime_error("the standing consent was not recorded");
  standing_consent_ = recorded.body.value("consent_id", "");
}

ReferralHarness::~ReferralHarness() {
  gateway_.reset();
  jobbtorg_.reset();
  case_system_.reset();
}

void ReferralHarness::start_gateway() {
  if (!launch_gateway()) throw std::runtime_error("gateway did not start; see " + dir_.string());
}

bool ReferralHarness::launch_gateway() {
  const std::filesystem::path port_file = dir_ / ("gateway" + std::to_string(++gateway_starts_) + ".port");
  std::vector<std::string> args{"serve", "--config", (dir_ / "config.json").string(), "--port-file",
                                port_file.string()};
  std::filesystem::path binary = gateway_binary();
#ifdef KNUTPUNKT_MOVED_CLOCK_GATEWAY_BIN
  if (options_.moved_clock) {
    binary = KNUTPUNKT_MOVED_CLOCK_GATEWAY_BIN;
    args.insert(args.end(), {"--clock-file", (dir_ / "time_limit_clock").string()});
  }
#endif
  gateway_ = std::make_unique<ChildProcess>(binary, args, dir_ / ("gateway" + std::to_string(gateway_starts_)));
  auto port = wait_for_port_file(port_file, *gateway_);
  if (!port) return false;
  gateway_client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  gateway_client_->set_read_timeout(30, 0);
  return true;
}

void ReferralHarness::set_time_limit_clock(std::chrono::system_clock::time_point at) {
  // Written via rename: the gateway reads the file every round and must never see it half-written.
  const std::filesystem::path file = dir_ / "time_limit_clock";
  std::ofstream(file.string() + ".tmp") << format_utc(at) << "\n";
  std::filesystem::rename(file.string() + ".tmp", file);
}

void ReferralHarness::stop_gateway() {
  gateway_->terminate();
}
void ReferralHarness::kill_gateway() {
  gateway_->kill();
}
bool ReferralHarness::gateway_running() {
  return gateway_->running();
}

HttpReply ReferralHarness::refer(const nlohmann::json& body, const std::string& key) {
  httplib::Headers headers{{"Authorization", std::string("Bearer ") + kCaseSystemToken}};
  if (!key.empty()) headers.emplace("Idempotency-Key", key);
  nlohmann::json sent = body;
  if (sent.value("consent_reference", nlohmann::json()) == kStandingConsent)
    sent["consent_reference"] = standing_consent_;
  return to_reply(gateway_client_->Post("/v1/referrals", headers, sent.dump(), "application/json"));
}

HttpReply ReferralHarness::gateway_send(const std::string& method, const std::string& path, const std::string& body,
                                        const std::string& token, const std::string& key) {
  check_no_personnummer_in_request_line(path);
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  if (!key.empty()) headers.emplace("Idempotency-Key", key);
  if (method == "PATCH") return to_reply(gateway_client_->Patch(path.c_str(), headers, body, "application/json"));
  if (method == "PUT") return to_reply(gateway_client_->Put(path.c_str(), headers, body, "application/json"));
  if (method == "DELETE") return to_reply(gateway_client_->Delete(path.c_str(), headers, body, "application/json"));
  return to_reply(gateway_client_->Post(path.c_str(), headers, body, "application/json"));
}

HttpReply ReferralHarness::gateway_get(const std::string& path, const std::string& token) {
  check_no_personnummer_in_request_line(path);
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  return to_reply(gateway_client_->Get(path.c_str(), headers));
}

std::string ReferralHarness::metrics() {
  auto result = gateway_client_->Get("/metrics", {{"Authorization", std::string("Bearer ") + kOperatorToken}});
  if (!result || result->status != 200) throw std::runtime_error("no metrics");
  return result->body;
}

HttpReply ReferralHarness::gateway_post(const std::string& path, const std::string& body, const std::string& token) {
  check_no_personnummer_in_request_line(path);
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  return to_reply(gateway_client_->Post(path.c_str(), headers, body, "application/json"));
}

void ReferralHarness::jobbtorg_faults(const nlohmann::json& faults) {
  if (faults.is_null()) {
    jobbtorg_client_->Delete("/_sim/faults");
    return;
  }
  json_of(jobbtorg_client_->Put("/_sim/faults", faults.dump(), "application/json"), "jobbtorg faults");
}

void ReferralHarness::case_system_faults(const nlohmann::json& faults) {
  if (faults.is_null()) {
    case_system_client_->Delete("/_recv/faults");
    return;
  }
  json_of(case_system_client_->Put("/_recv/faults", faults.dump(), "application/json"), "case system faults");
}

nlohmann::json ReferralHarness::jobbtorg_stats() {
  return json_of(jobbtorg_client_->Get("/_sim/stats"), "stats");
}
nlohmann::json ReferralHarness::jobbtorg_referrals() {
  return json_of(jobbtorg_client_->Get("/_sim/referrals"), "referrals")["referrals"];
}
nlohmann::json ReferralHarness::case_system_stats() {
  return json_of(case_system_client_->Get("/_recv/stats"), "stats");
}
nlohmann::json ReferralHarness::case_system_events() {
  return json_of(case_system_client_->Get("/_recv/events"), "events");
}

nlohmann::json ReferralHarness::jobbtorg_report(const std::string& referral_id, const nlohmann::json& report) {
  return json_of(jobbtorg_client_->Post(("/_sim/referrals/" + referral_id + "/reports").c_str(), report.dump(),
                                        "application/json"),
                 "report");
}

nlohmann::json ReferralHarness::jobbtorg_resend(const std::string& message_id) {
  return json_of(jobbtorg_client_->Post(("/_sim/reports/" + message_id + "/resend").c_str(), "", "application/json"),
                 "resend");
}

nlohmann::json ReferralHarness::jobbtorg_correction(const std::string& referral_id, int index) {
  return json_of(
      jobbtorg_client_->Post(("/_sim/referrals/" + referral_id + "/corrections/" + std::to_string(index)).c_str(), "",
                             "application/json"),
      "correction");
}

std::vector<AuditRecord> ReferralHarness::audit_records() {
  return read_audit_records(db_path());
}

}  // namespace knutpunkt::testing
