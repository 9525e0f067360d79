#pragma once
// Starts the SSBTEK simulator and the gateway as real processes on ephemeral loopback ports, with
// a configuration written for the test, and gives the test HTTP clients for both.
#include "child_process.h"
#include "store/store.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace knutpunkt::testing {

inline constexpr const char* kCaseSystemToken = "test-token-case-system";
inline constexpr const char* kOtherClientToken = "test-token-other-client";

struct HarnessOptions {
  int source_timeout_ms = 2000;
  std::map<std::string, int> source_timeouts_ms;
  int lookup_deadline_ms = 5000;
  std::size_t max_body_bytes = 16384;
};

struct HttpReply {
  int status = 0;
  std::string content_type;
  nlohmann::json body;
};

class GatewayHarness {
 public:
  explicit GatewayHarness(const std::string& name, HarnessOptions options = {});
  ~GatewayHarness();

  HttpReply lookup(const nlohmann::json& body, const std::string& token = kCaseSystemToken);
  HttpReply post(const std::string& path, const std::string& body, const httplib::Headers& headers,
                 const std::string& content_type = "application/json");
  HttpReply get(const std::string& path);
  HttpReply get_with(const std::string& path, const httplib::Headers& headers);
  HttpReply del(const std::string& path, const httplib::Headers& headers);
  HttpReply put(const std::string& path, const std::string& body, const httplib::Headers& headers);

  // Fault injection on the simulator's control API.
  void inject(const std::string& source, const nlohmann::json& fault);
  void clear_faults();
  void stop_simulator();
  void stop_gateway();

  // The audit records as the store holds them (read through the Store interface).
  std::vector<AuditRecord> audit_records();
  std::vector<AuditRecord> audit_records_for(const std::string& lookup_id);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path db_path() const { return dir_ / "knutpunkt.db"; }
  std::filesystem::path gateway_log() const { return dir_ / "gateway.log"; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> simulator_;
  std::unique_ptr<ChildProcess> gateway_;
  std::unique_ptr<httplib::Client> gateway_client_;
  std::unique_ptr<httplib::Client> simulator_client_;
};

// An HTTP answer with its JSON body parsed (discarded when not JSON); throws when none came.
HttpReply to_reply(const httplib::Result& result);

// Every audit record of the database at `db`, read through the Store interface.
std::vector<AuditRecord> read_audit_records(const std::filesystem::path& db);

// A valid request for test person Tolvan Tolvansson, all sources.
nlohmann::json full_lookup_request(const std::string& person = "19121212-1212");

std::filesystem::path gateway_binary();
std::filesystem::path repo_root();

}  // namespace knutpunkt::testing
