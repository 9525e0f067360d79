#include "cli/audit_commands.h"

#include <charconv>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "audit/audit_verifier.h"
#include "audit_export/audit_export_cli.h"
#include "audit_export/signing_key.h"
#include "audit_review/retention.h"
#include "cli/option_map.h"
#include "store/store_location.h"

namespace knutpunkt::cli {

namespace {

int audit_verify(const std::map<std::string, std::string>& options) {
  const auto given = [&](const char* name) -> std::optional<std::string> {
    auto it = options.find(name);
    return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto location = existing_store_named(given("db"), given("store"));
  if (!location) {
    std::cerr << "knutpunkt: audit verify: " << location.error() << " (or --export FILE)\n";
    return 2;
  }
  auto store = open_store(*location);
  if (!store) {
    std::cerr << "knutpunkt: cannot open the store: " << store.error().message << "\n";
    return 2;
  }
  std::expected<VerifyReport, StoreError> report;
  if (auto it = options.find("expect-head"); it != options.end()) {
    // SEQ:HASH, as remembered from an earlier verification (e.g. a daily report).
    auto colon = it->second.find(':');
    ChainHead head;
    auto [end, ec] =
        std::from_chars(it->second.data(), it->second.data() + std::min(colon, it->second.size()), head.seq);
    if (colon == std::string::npos || ec != std::errc{} || end != it->second.data() + colon) {
      std::cerr << "knutpunkt: --expect-head must be SEQ:HASH\n";
      return 2;
    }
    head.hash = it->second.substr(colon + 1);
    report = verify_chain(**store, head);
  } else {
    report = verify_chain(**store);
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
    out["checkpoint"] = {{"through_seq", c.through_seq},
                         {"removed_records", c.removed_records},
                         {"removed_before", c.removed_before},
                         {"key_id", c.key_id}};
    if (auto key_file = options.find("public-key"); key_file != options.end()) {
      auto key = audit_export::load_verifying_key(key_file->second);
      if (!key) {
        std::cerr << "knutpunkt: cannot load the public key: " << key.error().message << "\n";
        return 2;
      }
      const bool valid = audit_review::checkpoint_signature_valid(c, *key);
      out["checkpoint"]["signature_valid"] = valid;
      intact = intact && valid;
    } else {
      out["checkpoint"]["signature_valid"] = nullptr;
    }
  }
  // What retention removed (seqs, cut-off, when, on whose request and approval): an intact chain
  // that rests on a checkpoint says so, not just "intact".
  out["weeded"] = nlohmann::json::array();
  for (const auto& w : report->weeded) out["weeded"].push_back(to_json(w));
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

void add_audit_commands(CLI::App& app, std::function<int()>& run) {
  auto* audit = app.add_subcommand("audit", "Verify, export and sign the audit log");
  audit->require_subcommand(1);

  auto* verify = audit->add_subcommand("verify", "Verify the chain in a database, or an export against its manifest");
  auto verify_options = std::make_shared<OptionMap>();
  verify_options->add(*verify, "db", "the gateway's SQLite database");
  verify_options->add(*verify, "store", "the store as sqlite:PATH or postgresql:CONNECTION (password: PGPASSWORD)");
  verify_options->add(*verify, "expect-head", "SEQ:HASH remembered from an earlier verification");
  verify_options->add(*verify, "public-key", "the gateway's public key (PEM): checks a checkpoint or an export");
  verify_options->add(*verify, "export", "an exported file to verify instead of a database");
  verify_options->add(*verify, "manifest", "the export's manifest (default: FILE.manifest.json)");
  verify->callback([&run, verify, verify_options] {
    run = [verify, verify_options] {
      const auto options = verify_options->given(*verify);
      // An export is verified from its files and the public key alone, on any machine.
      return options.contains("export") ? audit_export::run_audit_verify_export(options) : audit_verify(options);
    };
  });

  auto* exporter = audit->add_subcommand("export", "Export a range of the audit log, signed");
  auto export_options = std::make_shared<OptionMap>();
  export_options->add(*exporter, "db", "the gateway's SQLite database");
  export_options->add(*exporter, "store", "the store as sqlite:PATH or postgresql:CONNECTION (password: PGPASSWORD)");
  export_options->add(*exporter, "format", "jsonl or csv");
  export_options->add(*exporter, "out", "the file to write");
  export_options->add(*exporter, "key", "the gateway's private key (PEM, mode 0600)");
  export_options->add(*exporter, "from-seq", "first record");
  export_options->add(*exporter, "to-seq", "last record");
  export_options->add(*exporter, "since", "first time (RFC 3339)");
  export_options->add(*exporter, "until", "last time (RFC 3339)");
  export_options->add(*exporter, "exported-by", "who exports (default: the OS user)");
  export_options->add(*exporter, "instance", "the gateway instance (default: the host name)");
  exporter->callback([&run, exporter, export_options] {
    run = [exporter, export_options] { return audit_export::run_audit_export(export_options->given(*exporter)); };
  });

  auto* keygen = audit->add_subcommand("keygen", "Make the gateway's Ed25519 signing key pair");
  auto keygen_options = std::make_shared<OptionMap>();
  keygen_options->add(*keygen, "private", "the private key file to write (mode 0600)");
  keygen_options->add(*keygen, "public", "the public key file to write (for auditors)");
  keygen->callback([&run, keygen, keygen_options] {
    run = [keygen, keygen_options] { return audit_export::run_audit_keygen(keygen_options->given(*keygen)); };
  });
}

}  // namespace knutpunkt::cli
