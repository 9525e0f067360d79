#include "store_backends.h"

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

#include "postgres_cluster.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace knutpunkt::conformance {

namespace {

std::unique_ptr<Store> open_store(const std::string& backend, const std::string& location) {
  std::expected<std::unique_ptr<Store>, StoreError> store = std::unexpected(StoreError{"unknown_backend", backend});
  if (backend == "sqlite") store = open_sqlite_store(location);
  if (backend == "postgresql") {
    PostgresSettings settings;
    settings.connection = location;
    store = open_postgres_store(settings);
  }
  INFO("opening " << backend << ": " << (store ? std::string() : store.error().code + ": " + store.error().message));
  REQUIRE(store.has_value());
  return std::move(*store);
}

}  // namespace

const std::vector<std::string>& backend_names() {
  static const std::vector<std::string> names = {"sqlite", "postgresql"};
  return names;
}

BackendStore::BackendStore(std::string backend) : backend_(std::move(backend)) {
  if (backend_ == "sqlite") {
    std::string pattern = (std::filesystem::temp_directory_path() / "knutpunkt-conformance-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    folder_ = pattern;
    location_ = (std::filesystem::path(folder_) / "k.db").string();
  } else if (backend_ == "postgresql") {
    location_ = test_postgres::PostgresCluster::shared().create_database();
  } else {
    FAIL("unknown store backend " << backend_);
  }
  store_ = open_store(backend_, location_);
}

BackendStore::~BackendStore() {
  store_.reset();
  if (!folder_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
}

std::unique_ptr<Store> BackendStore::open_another() {
  return open_store(backend_, location_);
}

void BackendStore::reopen() {
  store_.reset();
  store_ = open_store(backend_, location_);
}

std::string BackendStore::database_error_code() const {
  return backend_ == "sqlite" ? "sqlite_error" : "postgresql_error";
}

}  // namespace knutpunkt::conformance
