#include "cli/store_commands.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/option_map.h"
#include "store/store_location.h"
#include "store_migration/sqlite_to_postgres.h"

namespace knutpunkt::cli {

namespace {

int store_migrate(const std::map<std::string, std::string>& options) {
  auto from = existing_store_named(std::nullopt, options.at("from"));
  if (!from) {
    std::cerr << "knutpunkt: --from: " << from.error() << "\n";
    return 2;
  }
  auto to = parse_store_locator(options.at("to"));
  if (!to) {
    std::cerr << "knutpunkt: --to: " << to.error() << "\n";
    return 2;
  }
  if (from->kind != "sqlite" || to->kind != "postgresql") {
    std::cerr << "knutpunkt: store migrate copies a sqlite: store into a postgresql: database\n";
    return 2;
  }
  auto report = store_migration::copy_sqlite_to_postgres(from->path, to->postgres);
  if (!report) {
    std::cerr << "knutpunkt: the store was not migrated (" << report.error().code << "): " << report.error().message
              << "\n";
    // A copy that does not verify is a finding about the data, not a usage or connection error.
    return report.error().code == "chain_broken" || report.error().code == "count_mismatch" ? 1 : 2;
  }
  nlohmann::json out = {{"audit_records", report->audit_records},
                        {"head_seq", report->head_seq},
                        {"head_hash", report->head_hash},
                        {"rows", report->rows},
                        {"verified", true}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

void add_store_commands(CLI::App& app, std::function<int()>& run) {
  auto* store = app.add_subcommand("store", "Move the store between backends");
  store->require_subcommand(1);
  auto* migrate = store->add_subcommand(
      "migrate",
      "Copy a SQLite store into an empty PostgreSQL database and verify the copy (the database password "
      "comes from PGPASSWORD or ~/.pgpass)");
  auto options = std::make_shared<OptionMap>();
  options->add(*migrate, "from", "sqlite:PATH, the store to copy")->required();
  options->add(*migrate, "to", "postgresql:CONNECTION, the empty database to copy it into")->required();
  migrate->callback(
      [&run, migrate, options] { run = [migrate, options] { return store_migrate(options->given(*migrate)); }; });
}

}  // namespace knutpunkt::cli
