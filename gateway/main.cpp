// knutpunkt: the gateway's entry point.
//   knutpunkt serve --config FILE [--port N] [--port-file FILE] [--db FILE] [--log-file FILE] [--log-level LEVEL]
//   knutpunkt audit verify --db FILE [--expect-head SEQ:HASH]
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/gateway.h"
#include "audit/audit_verifier.h"
#include "audit_export/audit_export_cli.h"
#include "audit_export/signing_key.h"
#include "audit_review/retention.h"
#include "config/gateway_config.h"
#include "http/router.h"
#include "identity/password_hash.h"
#include "log/log.h"
#include "store/sqlite/sqlite_store.h"

namespace kp = knutpunkt;

namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  knutpunkt serve --config FILE [--port N] [--port-file FILE] [--db FILE] [--log-file FILE] [--log-level debug|info|warn|error]\n"
    "  knutpunkt audit verify --db FILE [--expect-head SEQ:HASH] [--public-key PUBLIC.pem (checks a retention checkpoint)]\n"
    "  knutpunkt audit verify --export FILE [--manifest FILE] --public-key PUBLIC.pem\n"
    "  knutpunkt audit export --db FILE --format jsonl|csv --out FILE --key PRIVATE.pem\n"
    "                         [--from-seq N] [--to-seq M] | [--since RFC3339] [--until RFC3339]\n"
    "                         [--exported-by ID] [--instance ID]\n"
    "  knutpunkt audit keygen --private FILE --public FILE\n"
    "  knutpunkt user hash-password [--iterations N]   (reads the password from stdin)\n"
    "  knutpunkt routes --json                         (the HTTP routes served: method, path, audience)\n";

// --name value pairs after the subcommand; anything else is a usage error.
std::optional<std::map<std::string, std::string>> read_options(const std::vector<std::string>& args, std::size_t from) {
  std::map<std::string, std::string> options;
  for (std::size_t i = from; i < args.size(); i += 2) {
    if (!args[i].starts_with("--") || i + 1 >= args.size()) return std::nullopt;
    options[args[i].substr(2)] = args[i + 1];
  }
  return options;
}

std::optional<kp::log::Level> parse_level(const std::string& text) {
  if (text == "debug") return kp::log::Level::debug;
  if (text == "info") return kp::log::Level::info;
  if (text == "warn") return kp::log::Level::warn;
  if (text == "error") return kp::log::Level::error;
  return std::nullopt;
}

// Written via rename so a reader polling for the file never sees it half-written.
bool write_port_file(const std::string& path, unsigned short port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int serve(const std::map<std::string, std::string>& options) {
  auto config_path = options.find("config");
  if (config_path == options.end()) {
    std::cerr << kUsage;
    return 2;
  }
  auto config = kp::load_config(config_path->second);
  if (!config) {
    std::cerr << "knutpunkt: invalid configuration at " << (config.error().field.empty() ? "/" : config.error().field)
              << ": " << config.error().message << "\n";
    return 2;
  }
  if (auto it = options.find("port"); it != options.end()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), port);
    if (ec != std::errc{} || end != it->second.data() + it->second.size() || port > 65535) {
      std::cerr << "knutpunkt: --port must be a number from 0 to 65535\n";
      return 2;
    }
    config->server.port = static_cast<unsigned short>(port);
  }
  if (auto it = options.find("db"); it != options.end()) config->store.path = it->second;
  if (auto it = options.find("log-file"); it != options.end()) config->log.file = it->second;
  if (auto it = options.find("log-level"); it != options.end()) config->log.level = it->second;
  auto level = parse_level(config->log.level);
  if (!level) {
    std::cerr << "knutpunkt: unknown log level " << config->log.level << "\n";
    return 2;
  }
  kp::log::init(*level, config->log.file.string());
  const std::string host = config->server.host;

  auto gateway = kp::app::Gateway::open(std::move(*config));
  if (!gateway) {
    std::cerr << "knutpunkt: " << gateway.error().message << "\n";
    return gateway.error().exit_code;
  }
  auto port = (*gateway)->listen();
  if (!port) {
    std::cerr << "knutpunkt: " << port.error().message << "\n";
    return port.error().exit_code;
  }
  if (auto it = options.find("port-file"); it != options.end() && !write_port_file(it->second, *port)) {
    std::cerr << "knutpunkt: cannot write the port file\n";
    return 1;
  }
  kp::log::info("gateway.listening", {{"host", host}, {"port", *port}, {"adapters", (*gateway)->adapter_names()}});
  (*gateway)->stop_on_signals();
  (*gateway)->run();
  kp::log::info("gateway.stopped");
  return 0;
}

int audit_verify(const std::map<std::string, std::string>& options) {
  auto db = options.find("db");
  if (db == options.end()) {
    std::cerr << kUsage;
    return 2;
  }
  if (!std::filesystem::exists(db->second)) {
    std::cerr << "knutpunkt: no such database: " << db->second << "\n";
    return 2;
  }
  auto store = kp::open_sqlite_store(db->second);
  if (!store) {
    std::cerr << "knutpunkt: cannot open the store: " << store.error().message << "\n";
    return 2;
  }
  std::expected<kp::VerifyReport, kp::StoreError> report;
  if (auto it = options.find("expect-head"); it != options.end()) {
    // SEQ:HASH, as remembered from an earlier verification (e.g. a daily report).
    auto colon = it->second.find(':');
    kp::ChainHead head;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + std::min(colon, it->second.size()), head.seq);
    if (colon == std::string::npos || ec != std::errc{} || end != it->second.data() + colon) {
      std::cerr << "knutpunkt: --expect-head must be SEQ:HASH\n";
      return 2;
    }
    head.hash = it->second.substr(colon + 1);
    report = kp::verify_chain(**store, head);
  } else {
    report = kp::verify_chain(**store);
  }
  if (!report) {
    std::cerr << "knutpunkt: verification could not run: " << report.error().message << "\n";
    return 2;
  }
  bool intact = report->intact();
  nlohmann::json out = {{"records", report->records}, {"head_seq", report->head_seq}, {"head_hash", report->head_hash}};
  if (report->checkpoint) {
    // After retention the chain rests on a checkpoint; only the gateway's public key says it is
    // genuine, so without --public-key the answer says it was not checked.
    const auto& c = *report->checkpoint;
    out["checkpoint"] = {{"through_seq", c.through_seq}, {"removed_records", c.removed_records},
                         {"removed_before", c.removed_before}, {"key_id", c.key_id}};
    if (auto key_file = options.find("public-key"); key_file != options.end()) {
      auto key = kp::audit_export::load_verifying_key(key_file->second);
      if (!key) {
        std::cerr << "knutpunkt: cannot load the public key: " << key.error().message << "\n";
        return 2;
      }
      const bool valid = kp::audit_review::checkpoint_signature_valid(c, *key);
      out["checkpoint"]["signature_valid"] = valid;
      intact = intact && valid;
    } else {
      out["checkpoint"]["signature_valid"] = nullptr;
    }
  }
  // What retention removed (seqs, cut-off, when, on whose request and approval): an intact chain
  // that rests on a checkpoint says so, not just "intact".
  out["weeded"] = nlohmann::json::array();
  for (const auto& w : report->weeded) out["weeded"].push_back(kp::to_json(w));
  out["intact"] = intact;
  if (report->first_problem) {
    out["first_problem"] = {{"seq", report->first_problem->seq},
                            {"problem", report->first_problem->problem},
                            {"detail", report->first_problem->detail}};
  }
  std::cout << out.dump(2) << "\n";
  return intact ? 0 : 1;
}

}  // namespace

// For config "users": the password is read from stdin (not the command line, which others can see).
static int hash_password_command(const std::map<std::string, std::string>& options) {
  int iterations = kp::identity::kDefaultIterations;
  if (auto it = options.find("iterations"); it != options.end()) iterations = std::atoi(it->second.c_str());
  std::string password;
  std::getline(std::cin, password);
  auto hash = kp::identity::hash_password(password, iterations);
  if (!hash) {
    std::cerr << "knutpunkt: " << hash.error().message << "\n";
    return 2;
  }
  std::cout << *hash << "\n";
  return 0;
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "serve") {
    auto options = read_options(args, 1);
    if (!options) {
      std::cerr << kUsage;
      return 2;
    }
    return serve(*options);
  }
  if (args[0] == "routes" && args.size() == 2 && args[1] == "--json") {
    std::cout << kp::http::gateway_routes(nullptr).to_json().dump(2) << "\n";
    return 0;
  }
  if (args[0] == "user" && args.size() >= 2 && args[1] == "hash-password") {
    auto options = read_options(args, 2);
    if (!options) {
      std::cerr << kUsage;
      return 2;
    }
    return hash_password_command(*options);
  }
  if (args[0] == "audit" && args.size() >= 2) {
    auto options = read_options(args, 2);
    if (!options) {
      std::cerr << kUsage;
      return 2;
    }
    if (args[1] == "verify") {
      // An export is verified from its files and the public key alone, on any machine.
      return options->contains("export") ? kp::audit_export::run_audit_verify_export(*options) : audit_verify(*options);
    }
    if (args[1] == "export") return kp::audit_export::run_audit_export(*options);
    if (args[1] == "keygen") return kp::audit_export::run_audit_keygen(*options);
  }
  std::cerr << kUsage;
  return 2;
}
