#include "audit_export/audit_export_cli.h"

#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <iostream>
#include <set>

#include "audit_export/audit_exporter.h"
#include "audit_export/export_verifier.h"
#include "core/private_file.h"
#include "store/store_location.h"

namespace knutpunkt::audit_export {

namespace {

constexpr const char* kExportUsage =
    "usage: knutpunkt audit export (--db FILE | --store LOCATOR) --format jsonl|csv --out FILE --key PRIVATE.pem\n"
    "           [--from-seq N] [--to-seq M] | [--since RFC3339] [--until RFC3339]\n"
    "           [--exported-by ID] [--instance ID]\n";
constexpr const char* kVerifyUsage =
    "usage: knutpunkt audit verify --export FILE [--manifest FILE] --public-key PUBLIC.pem\n";
constexpr const char* kKeygenUsage = "usage: knutpunkt audit keygen --private FILE --public FILE\n";

int usage(const char* text, const std::string& why) {
  std::cerr << "knutpunkt: " << why << "\n" << text;
  return 2;
}

// Unknown options are refused: a mistyped --to-seq must not silently export the whole log.
std::optional<std::string> unknown_option(const std::map<std::string, std::string>& options,
                                          const std::set<std::string>& known) {
  for (const auto& [name, value] : options) {
    if (!known.contains(name)) return name;
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_seq(const std::string& text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string os_user() {
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return "uid:" + std::to_string(::geteuid());
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "unknown";
  return name;
}

int report_error(const ExportError& e) {
  std::cerr << "knutpunkt: " << e.message << " [" << e.code << "]\n";
  return 2;
}

}  // namespace

int run_audit_export(const std::map<std::string, std::string>& options) {
  if (auto name = unknown_option(options, {"db", "store", "format", "out", "key", "from-seq", "to-seq", "since",
                                           "until", "exported-by", "instance"})) {
    return usage(kExportUsage, "unknown option --" + *name);
  }
  for (const char* required : {"format", "out", "key"}) {
    if (!options.contains(required)) return usage(kExportUsage, std::string("--") + required + " is required");
  }
  ExportRequest request;
  auto format = parse_export_format(options.at("format"));
  if (!format) return usage(kExportUsage, "--format must be jsonl or csv");
  request.format = *format;
  request.out = options.at("out");
  for (auto [name, target] : {std::pair{"from-seq", &request.from_seq}, std::pair{"to-seq", &request.to_seq}}) {
    if (auto it = options.find(name); it != options.end()) {
      *target = parse_seq(it->second);
      if (!*target) return usage(kExportUsage, std::string("--") + name + " must be a whole number");
    }
  }
  if (auto it = options.find("since"); it != options.end()) request.since = it->second;
  if (auto it = options.find("until"); it != options.end()) request.until = it->second;
  request.exported_by = options.contains("exported-by") ? options.at("exported-by") : os_user();
  request.gateway_instance = options.contains("instance") ? options.at("instance") : host_name();

  if (auto private_key = require_owner_only(options.at("key")); !private_key) {
    std::cerr << "knutpunkt: refusing the signing key: " << private_key.error() << "\n";
    return 2;
  }
  auto key = load_signing_key(options.at("key"));
  if (!key) return report_error(key.error());
  const auto given = [&](const char* name) -> std::optional<std::string> {
    auto it = options.find(name);
    return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto location = existing_store_named(given("db"), given("store"));
  if (!location) {
    std::cerr << "knutpunkt: " << location.error() << "\n";
    return 2;
  }
  auto store = open_store(*location);
  if (!store) {
    std::cerr << "knutpunkt: cannot open the store: " << store.error().message << "\n";
    return 2;
  }
  auto manifest = export_audit(**store, request, *key);
  if (!manifest) {
    report_error(manifest.error());
    // A broken chain is a finding about the log, not a usage or I/O error.
    return manifest.error().code == "chain_broken" ? 1 : 2;
  }
  std::cout << "exported " << manifest->record_count << " records, seq " << manifest->first_seq << ".."
            << manifest->last_seq << " (recorded " << manifest->earliest_recorded_at << " to "
            << manifest->latest_recorded_at << ")\n"
            << "  file:       " << request.out.string() << " (" << to_string(manifest->format) << ", sha256 "
            << manifest->file_sha256 << ")\n"
            << "  manifest:   " << manifest_path_for(request.out).string() << "\n"
            << "  last hash:  " << manifest->last_hash << "\n"
            << "  log head:   seq " << manifest->log_head_seq << " " << manifest->log_head_hash << "\n"
            << "  signed by:  key " << manifest->key_id << "\n";
  return 0;
}

int run_audit_verify_export(const std::map<std::string, std::string>& options) {
  if (auto name = unknown_option(options, {"export", "manifest", "public-key"})) {
    return usage(kVerifyUsage, "unknown option --" + *name);
  }
  for (const char* required : {"export", "public-key"}) {
    if (!options.contains(required)) return usage(kVerifyUsage, std::string("--") + required + " is required");
  }
  const std::filesystem::path export_file = options.at("export");
  const std::filesystem::path manifest_file =
      options.contains("manifest") ? std::filesystem::path(options.at("manifest")) : manifest_path_for(export_file);
  auto key = load_verifying_key(options.at("public-key"));
  if (!key) return report_error(key.error());
  auto report = verify_export(export_file, manifest_file, *key);
  if (!report) return report_error(report.error());
  if (report->first_problem) {
    const ExportProblem& p = *report->first_problem;
    std::cout << "export NOT verified: " << p.code << "\n  " << p.detail << "\n"
              << "  records sound before the problem: " << report->records_checked << "\n"
              << "  signature: " << (report->signature_valid ? "valid" : "not valid") << " (key "
              << report->given_key_id << ")\n";
    return 1;
  }
  const ExportManifest& m = *report->manifest;
  std::cout << "export verified: " << m.record_count << " records, seq " << m.first_seq << ".." << m.last_seq
            << ", complete and unaltered for its range\n"
            << "  recorded:   " << m.earliest_recorded_at << " to " << m.latest_recorded_at << "\n"
            << "  last hash:  " << m.last_hash << "\n"
            << "  log head at export: seq " << m.log_head_seq << " " << m.log_head_hash << "\n"
            << "  exported:   " << m.exported_at << " by " << m.exported_by << " on " << m.gateway_instance << "\n"
            << "  signed by:  key " << m.key_id << "\n";
  if (!report->file_name_matches) {
    std::cout << "  note: the file was renamed since export (manifest names " << m.file_name << ")\n";
  }
  return 0;
}

int run_audit_keygen(const std::map<std::string, std::string>& options) {
  if (auto name = unknown_option(options, {"private", "public"})) {
    return usage(kKeygenUsage, "unknown option --" + *name);
  }
  for (const char* required : {"private", "public"}) {
    if (!options.contains(required)) return usage(kKeygenUsage, std::string("--") + required + " is required");
  }
  auto id = generate_key_pair(options.at("private"), options.at("public"));
  if (!id) return report_error(id.error());
  std::cout << "created an Ed25519 key pair, key id " << *id << "\n"
            << "  private: " << options.at("private") << " (mode 0600; keep it on the gateway only)\n"
            << "  public:  " << options.at("public") << " (give it to auditors)\n";
  return 0;
}

}  // namespace knutpunkt::audit_export
