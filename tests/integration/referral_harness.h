#pragma once
// Starts the Jobbtorg simulator, a case system receiving webhooks, and the gateway as real
// processes on ephemeral loopback ports. The gateway can be stopped, SIGKILLed and restarted on
// the same database, which is how delivery's durability is tested.
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.h"
#include "gateway_harness.h"
#include "store/store.h"

namespace knutpunkt::testing {

inline constexpr const char* kJobbtorgToken = "test-token-jobbtorg-sodra";   // Jobbtorg -> knutpunkt
inline constexpr const char* kKnutpunktAtJobbtorg = "test-token-knutpunkt";  // knutpunkt -> Jobbtorg
inline constexpr const char* kWebhookSecret = "test-webhook-secret-0123456789";
// What referral_request() puts in consent_reference; refer() sends the consent the harness
// recorded at start (Tolvan's, for Jobbtorg, in force) in its place.
inline constexpr const char* kStandingConsent = "standing-consent";

struct ReferralHarnessOptions {
  bool reports = false;  // the simulator reports back on its own
  int report_delay_ms = 20;
  int attendance_days = 3;
  int max_attempts = 8;
  int initial_backoff_ms = 50;
  int max_backoff_ms = 400;
  int breaker_threshold = 3;
  int breaker_open_ms = 600;
  int max_in_flight = 8;
  int server_threads = 2;
  // The simulator's attendance: an OGILTIG streak at the end of its NARVARO, a corrected day
  // (index; -1: none), and the gateway's "attendance" section (null: left out, every default).
  int ogiltig_streak = 0;
  int correct_day = -1;
  nlohmann::json attendance = nullptr;
  // The simulator's planning reports: an UPPFOLJNING every this many days from the start (0:
  // none), and its BEDOMNINGs ("IB", "FIA", "IB,FIA"; empty: none).
  int followup_days = 0;
  std::string assessments;
  // The Söderort route's time_limits (null: none given, the defaults), and a gateway whose time
  // limits (checked every second) and attendance months are judged at the instant
  // set_time_limit_clock writes (knutpunkt-moved-clock).
  nlohmann::json time_limits = nullptr;
  bool moved_clock = false;
};

class ReferralHarness {
 public:
  explicit ReferralHarness(const std::string& name, ReferralHarnessOptions options = {});
  ~ReferralHarness();

  // POST /v1/referrals as the case system; `key` becomes the Idempotency-Key when not empty.
  HttpReply refer(const nlohmann::json& body, const std::string& key = {});
  // The consent recorded at start that referral_request()'s referrals rest on.
  const std::string& standing_consent() const { return standing_consent_; }
  // Another request as the case system (PATCH, DELETE, PUT); `key` as for refer().
  HttpReply gateway_send(const std::string& method, const std::string& path, const std::string& body,
                         const std::string& token, const std::string& key = {});
  HttpReply gateway_get(const std::string& path, const std::string& token);
  std::string metrics();  // GET /metrics, the text as served
  HttpReply gateway_post(const std::string& path, const std::string& body, const std::string& token);

  // Simulator control.
  void jobbtorg_faults(const nlohmann::json& faults);
  void case_system_faults(const nlohmann::json& faults);
  nlohmann::json jobbtorg_stats();
  nlohmann::json jobbtorg_referrals();  // GET /_sim/referrals: what Jobbtorg holds, messages included
  nlohmann::json case_system_stats();
  nlohmann::json case_system_events();
  nlohmann::json jobbtorg_report(const std::string& referral_id, const nlohmann::json& report);
  nlohmann::json jobbtorg_resend(const std::string& message_id);
  // Jobbtorg corrects day `index` of the referral's usual NARVARO, now.
  nlohmann::json jobbtorg_correction(const std::string& referral_id, int index);

  // With options.moved_clock: the instant the gateway judges referral time limits and attendance
  // months at from now on.
  void set_time_limit_clock(std::chrono::system_clock::time_point at);

  void start_gateway();
  void stop_gateway();  // SIGTERM
  void kill_gateway();  // SIGKILL
  bool gateway_running();

  std::vector<AuditRecord> audit_records();
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path db_path() const { return dir_ / "knutpunkt.db"; }
  unsigned short gateway_port() const { return gateway_port_; }  // for requests written byte by byte

 private:
  // Starts the gateway on the config written; false when it did not come up.
  bool launch_gateway();

  std::filesystem::path dir_;
  ReferralHarnessOptions options_;
  unsigned short gateway_port_ = 0;
  unsigned short jobbtorg_port_ = 0;
  unsigned short case_system_port_ = 0;
  int gateway_starts_ = 0;
  std::string standing_consent_;
  std::unique_ptr<ChildProcess> jobbtorg_;
  std::unique_ptr<ChildProcess> case_system_;
  std::unique_ptr<ChildProcess> gateway_;
  std::unique_ptr<httplib::Client> gateway_client_;
  std::unique_ptr<httplib::Client> jobbtorg_client_;
  std::unique_ptr<httplib::Client> case_system_client_;
};

// A valid referral for Tolvan Tolvansson to the Söderort Jobbtorg (district skarholmen).
nlohmann::json referral_request(const std::string& case_id = "EB-2026-000123",
                                const std::string& district = "skarholmen");

// How many audit records of `kind` the gateway has written.
inline int count_kind(ReferralHarness& h, const std::string& kind) {
  int n = 0;
  for (const auto& r : h.audit_records()) n += r.kind == kind ? 1 : 0;
  return n;
}

// The event types the case system received for the referral, in the order they came.
inline std::vector<std::string> pushed_types(ReferralHarness& h, const std::string& referral_id) {
  auto stats = h.case_system_stats();
  std::vector<std::string> types;
  if (stats["by_correlation"].contains(referral_id)) {
    for (const auto& t : stats["by_correlation"][referral_id]) types.push_back(t);
  }
  return types;
}

}  // namespace knutpunkt::testing
