#pragma once
// Which store to open: the one place that knows every backend, so the gateway and the command
// line open stores the same way.
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/postgres/postgres_store.h"
#include "store/store.h"

namespace knutpunkt {

struct StoreLocation {
  std::string kind = "sqlite";  // "sqlite" (one instance) or "postgresql" (one or several)
  std::filesystem::path path;   // sqlite
  PostgresSettings postgres;    // postgresql
};

// Opens the store, creating a SQLite file (and its folder) when missing.
std::expected<std::unique_ptr<Store>, StoreError> open_store(const StoreLocation& location);

// A store named on the command line: "sqlite:PATH" or "postgresql:CONNECTION" (a libpq key=value
// string or URI). A password is never given here: libpq takes it from PGPASSWORD or ~/.pgpass.
std::expected<StoreLocation, std::string> parse_store_locator(std::string_view locator);

// The existing store a command names, by --db FILE (SQLite) or --store LOCATOR, exactly one of
// them. A SQLite file that does not exist is an error here, not a new empty store: verifying or
// exporting a log that was never there would only confuse.
std::expected<StoreLocation, std::string> existing_store_named(const std::optional<std::string>& db,
                                                               const std::optional<std::string>& locator);

// For messages: the kind and the file or the connection string (which never holds a password).
std::string describe(const StoreLocation& location);

}  // namespace knutpunkt
