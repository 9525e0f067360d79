#pragma once
// Starts the SSBTEK simulator and the gateway as real processes on ephemeral loopback ports, with
// a configuration written for the test, and gives the test HTTP clients for both.
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"
#include "store/store.h"
#include "test_pki.h"

namespace knutpunkt::testing {

inline constexpr const char* kCaseSystemToken = "test-token-case-system";
// Jobbtorg's system: another organisation (stockholm-jobbtorg), granted lookups only.
inline constexpr const char* kOtherClientToken = "test-token-other-client";
// A neighbouring municipality's case system (organisation huddinge-socialtjanst), granted lookups,
// cases and consents in its own organisation.
inline constexpr const char* kNeighbourCaseSystemToken = "test-token-neighbour-case-system";
// An operator's machine token: readiness, metrics, the outbox.
inline constexpr const char* kOperatorToken = "test-token-operator";
// An auditor's machine token, and a console user (revisor / kAuditorPassword).
inline constexpr const char* kAuditorToken = "test-token-auditor";
inline constexpr const char* kAuditorUser = "revisor";
inline constexpr const char* kAuditorPassword = "test-losenord-revisor";
inline constexpr const char* kAdminUser = "admin";
inline constexpr const char* kAdminPassword = "test-losenord-admin";
// A second administrator: gallring outside the schedule needs two (four-eyes).
inline constexpr const char* kSecondAdminUser = "admin2";
inline constexpr const char* kSecondAdminPassword = "test-losenord-admin-tva";
// Försäkringskassan calling back (decision notifications), with_af_fk only.
inline constexpr const char* kFkPartnerToken = "test-token-fk-partner";
// The region's SIP system calling back (replies, proposals), with_sip_region only.
inline constexpr const char* kRegionPartnerToken = "test-token-region-partner";

// The case every lookup of full_lookup_request() names; registered at start for kCaseSystemToken
// with all simulator test persons in its household.
inline constexpr const char* kStandingCase = "EB-2026-000123";

struct HarnessOptions {
  int source_timeout_ms = 2000;
  std::map<std::string, int> source_timeouts_ms;
  int lookup_deadline_ms = 5000;
  // The SSBTEK adapter's "exchange": empty for its default (one call per lookup), "per_source".
  std::string ssbtek_exchange;
  std::size_t max_body_bytes = 16384;
  // Also start the Arbetsförmedlingen and Försäkringskassan simulators, configured as adapters
  // "arbetsformedlingen" (legal basis: consent) and "forsakringskassan" (law, two years; takes
  // återsökningar, routed to it, and calls back with decisions as client "fk-partner").
  bool with_af_fk = false;
  // Also start a region's SIP system (sip-region-sim), configured as adapter "region-stockholm"
  // (kind sip_region) for organisations "region-stockholm/...", calling back as client
  // "region-partner"; the case system is granted "sip". Utan dröjsmål: 7 days.
  bool with_sip_region = false;
  std::string region_auto_reply = "accept";  // the simulator's answer to invitations
  // config server.readiness_refresh_ms (0: the gateway's default, 10 s).
  int readiness_refresh_ms = 0;
  // config audit.retention_days (0: the audit log is kept for ever).
  int audit_retention_days = 0;
  // Runs on the database file before the gateway first opens it (e.g. to lay down audit records
  // recorded long before the test ran).
  std::function<void(const std::filesystem::path& db)> before_gateway_starts;
  // Serve TLS instead of plain HTTP: the harness makes a server CA and a client CA for the run
  // (tls_dir()), the gateway's certificate for localhost and 127.0.0.1 valid for
  // `server_certificate_days`, asks clients for certificates, and its own client trusts the
  // server CA alone and presents the case system's client certificate.
  bool tls = false;
  int server_certificate_days = 90;
  // Last changes to the configuration before the gateway starts (e.g. a client bound to its
  // certificate).
  std::function<void(nlohmann::json& config)> edit_config;
};

// The Arbetsförmedlingen and Försäkringskassan simulators started too, and nothing else changed.
inline HarnessOptions af_fk() {
  HarnessOptions options;
  options.with_af_fk = true;
  return options;
}

struct HttpReply {
  int status = 0;
  std::string content_type;
  nlohmann::json body;  // discarded when the body is not JSON
  std::string text;     // the body as sent
};

// Every request a suite sends the gateway is checked here: its request line (path and query) holds
// no personnummer, since proxies log request lines. A test that sends one on purpose, to see it
// refused, says so with GatewayHarness::get_with_personal_data_in_url.
void check_no_personnummer_in_request_line(const std::string& target);

// Whether a gateway that did not start says its port was taken (its stderr, `stderr_file`): a port
// chosen in advance, before the simulators that call it back started, can be taken by another test
// running in parallel.
bool gateway_bind_refused(const std::filesystem::path& stderr_file);

class GatewayHarness {
 public:
  explicit GatewayHarness(const std::string& name, HarnessOptions options = {});
  ~GatewayHarness();

  HttpReply lookup(const nlohmann::json& body, const std::string& token = kCaseSystemToken);
  HttpReply lookup_at(const std::string& adapter, const nlohmann::json& body,
                      const std::string& token = kCaseSystemToken);
  // PUT /v1/cases/{case_id} as the client of `token`.
  HttpReply register_case(const std::string& case_id, const std::vector<std::string>& household,
                          const std::string& status = "open", const std::string& token = kCaseSystemToken);
  HttpReply post(const std::string& path, const std::string& body, const httplib::Headers& headers,
                 const std::string& content_type = "application/json");
  HttpReply get(const std::string& path);
  // GET as the operator (kOperatorToken): /readyz, /metrics.
  HttpReply get_as_operator(const std::string& path);
  HttpReply get_with(const std::string& path, const httplib::Headers& headers);
  // A GET whose target holds a personnummer on purpose, not checked as every other request is.
  HttpReply get_with_personal_data_in_url(const std::string& path, const httplib::Headers& headers);
  HttpReply del(const std::string& path, const httplib::Headers& headers);
  HttpReply put(const std::string& path, const std::string& body, const httplib::Headers& headers);

  // Fault injection on the simulator's control API.
  void inject(const std::string& source, const nlohmann::json& fault);
  // The simulator's request counters (GET /_sim/stats).
  nlohmann::json simulator_stats();
  void clear_faults();
  void stop_simulator();
  void stop_gateway();
  // Waits up to `limit` for the gateway to end by itself; its exit code, or nullopt if it runs on.
  std::optional<int> wait_for_gateway_exit(std::chrono::milliseconds limit);

  // The audit records as the store holds them (read through the Store interface).
  std::vector<AuditRecord> audit_records();
  std::vector<AuditRecord> audit_records_for(const std::string& lookup_id);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path db_path() const { return dir_ / "knutpunkt.db"; }
  std::filesystem::path gateway_log() const { return dir_ / "gateway.log"; }
  // The audit signing key's public half (made with `knutpunkt audit keygen` at start).
  std::filesystem::path audit_public_key() const { return dir_ / "audit-signing-key.pub.pem"; }
  // The gateway's process id (e.g. to read its memory from /proc).
  pid_t gateway_pid() const;
  // The port the gateway listens on (for a client of the test's own).
  unsigned short port() const { return port_; }
  // With options.tls: server-ca.pem, client-ca.pem, server.crt/.key, case-system.crt/.key.
  std::filesystem::path tls_dir() const { return dir_ / "tls"; }
  // A client of the gateway as options.tls asks: https://localhost, trusting the server CA alone,
  // presenting the case system's certificate when `with_certificate`.
  std::unique_ptr<httplib::Client> new_client(bool with_certificate = true) const;
  // The CAs the run's certificates come from (options.tls only).
  const test_pki::Authority& server_authority() const { return *server_ca_; }
  const test_pki::Authority& client_authority() const { return *client_ca_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> simulator_;
  std::unique_ptr<ChildProcess> af_simulator_;
  std::unique_ptr<ChildProcess> fk_simulator_;
  std::unique_ptr<ChildProcess> region_simulator_;
  std::unique_ptr<ChildProcess> gateway_;
  std::unique_ptr<httplib::Client> gateway_client_;
  unsigned short port_ = 0;
  std::unique_ptr<httplib::Client> simulator_client_;
  bool tls_ = false;
  std::unique_ptr<test_pki::Authority> server_ca_;
  std::unique_ptr<test_pki::Authority> client_ca_;

  void make_tls_files(int server_certificate_days);
  // Starts the simulators and the gateway; the constructor tries again when a port was taken.
  void start(const HarnessOptions& options);

 public:
  // Control clients of the AF and FK simulators (with_af_fk only).
  std::unique_ptr<httplib::Client> af_simulator;
  std::unique_ptr<httplib::Client> fk_simulator;
  // Control client of the region's SIP simulator (with_sip_region only).
  std::unique_ptr<httplib::Client> region_simulator;
};

// How many audit records of `kind` the gateway has written.
inline int count_kind(GatewayHarness& gw, const std::string& kind) {
  int n = 0;
  for (const auto& r : gw.audit_records()) n += r.kind == kind ? 1 : 0;
  return n;
}

// The headers of a request sent with `token`, for the requests GatewayHarness has no method for.
inline httplib::Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// Polls `condition` every 50 ms until it holds or `limit` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = std::chrono::seconds{20});

// The test persons every simulator knows (see the simulators' persons.json).
const std::vector<std::string>& test_persons();

// An HTTP answer with its JSON body parsed (discarded when not JSON); throws when none came.
HttpReply to_reply(const httplib::Result& result);

// Every audit record of the database at `db`, read through the Store interface.
std::vector<AuditRecord> read_audit_records(const std::filesystem::path& db);

// Every source SSBTEK answers for, in the order full_lookup_request() asks them.
inline const std::vector<std::string> kAllSources = {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"};

// A valid request for test person Tolvan Tolvansson, all sources.
nlohmann::json full_lookup_request(const std::string& person = "19121212-1212");

std::filesystem::path gateway_binary();
std::filesystem::path repo_root();

}  // namespace knutpunkt::testing
