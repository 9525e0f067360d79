#pragma once
#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "store/store.h"

namespace knutpunkt {

struct PostgresSettings {
  // A libpq connection string ("host=... port=... dbname=... user=... sslmode=verify-full
  // sslrootcert=..."), without the password.
  std::string connection;
  // Read by the caller from a file or the environment; never part of the config file.
  std::optional<std::string> password;
  int pool_size = 8;
};

// Connects to a PostgreSQL database and brings its schema up to date (versioned migrations, run
// once even when several instances start together). Several processes may open the same
// database: commits are serialised on the audit chain's tip, everything else by row locks and
// unique constraints. Thread-safe. Error codes: "postgresql_unavailable", "postgresql_error",
// "schema_too_new".
std::expected<std::unique_ptr<Store>, StoreError> open_postgres_store(const PostgresSettings& settings);

}  // namespace knutpunkt
