#include "store/store_location.h"

#include "store/postgres/connection_string.h"
#include "store/sqlite/sqlite_store.h"

namespace knutpunkt {

std::expected<std::unique_ptr<Store>, StoreError> open_store(const StoreLocation& location) {
  if (location.kind == "postgresql") return open_postgres_store(location.postgres);
  if (location.kind != "sqlite")
    return std::unexpected(StoreError{"unknown_store", "no store of kind " + location.kind});
  std::error_code ec;
  if (location.path.has_parent_path()) std::filesystem::create_directories(location.path.parent_path(), ec);
  return open_sqlite_store(location.path);
}

std::expected<StoreLocation, std::string> parse_store_locator(std::string_view locator) {
  StoreLocation location;
  const auto colon = locator.find(':');
  const std::string_view kind = locator.substr(0, colon);
  const std::string_view rest = colon == std::string_view::npos ? std::string_view() : locator.substr(colon + 1);
  if (colon == std::string_view::npos || rest.empty() || (kind != "sqlite" && kind != "postgresql")) {
    return std::unexpected("a store is sqlite:PATH or postgresql:CONNECTION");
  }
  location.kind = std::string(kind);
  if (kind == "sqlite") {
    location.path = std::string(rest);
    return location;
  }
  auto facts = postgres::inspect_connection_string(rest);
  if (!facts) return std::unexpected("the connection string does not parse: " + facts.error());
  if (facts->has_password) return std::unexpected("the connection string holds a password; set PGPASSWORD instead");
  location.postgres.connection = std::string(rest);
  location.postgres.pool_size = 2;
  return location;
}

std::expected<StoreLocation, std::string> existing_store_named(const std::optional<std::string>& db,
                                                               const std::optional<std::string>& locator) {
  if (db.has_value() == locator.has_value())
    return std::unexpected("name the store by --db FILE or by --store LOCATOR");
  StoreLocation location;
  if (locator) {
    auto parsed = parse_store_locator(*locator);
    if (!parsed) return std::unexpected(parsed.error());
    location = std::move(*parsed);
  } else {
    location.path = *db;
  }
  if (location.kind == "sqlite" && !std::filesystem::exists(location.path)) {
    return std::unexpected("no such database: " + location.path.string());
  }
  return location;
}

std::string describe(const StoreLocation& location) {
  return location.kind == "postgresql" ? "postgresql:" + location.postgres.connection
                                       : "sqlite:" + location.path.string();
}

}  // namespace knutpunkt
