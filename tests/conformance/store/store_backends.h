#pragma once
// The backends every store conformance test runs on, and a store of each on fresh storage:
// "sqlite" on a file in a temporary folder, "postgresql" on a new database of the test process's
// throwaway cluster (tests/support/postgres_cluster.h).
//
// A test takes its backend with STORE_BACKEND(backend): Catch runs the test once per backend
// and names the backend in every failure message.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace knutpunkt::conformance {

const std::vector<std::string>& backend_names();

// Fresh storage of one backend and a store opened on it.
class BackendStore {
 public:
  explicit BackendStore(std::string backend);
  ~BackendStore();
  BackendStore(const BackendStore&) = delete;
  BackendStore& operator=(const BackendStore&) = delete;

  Store& operator*() { return *store_; }
  Store* operator->() { return store_.get(); }
  Store& store() { return *store_; }
  const std::string& backend() const { return backend_; }

  // Another store on the same storage, as a second process or a restarted gateway opens it.
  std::unique_ptr<Store> open_another();
  // Closes the store and opens the storage again: what a restart of the gateway reads.
  void reopen();
  // The error code the backend gives for a failure of the database itself (a violated key).
  std::string database_error_code() const;

 private:
  std::string backend_;
  std::string location_;  // the SQLite file or the PostgreSQL connection string
  std::string folder_;    // the SQLite temporary folder, removed at the end
  std::unique_ptr<Store> store_;
};

}  // namespace knutpunkt::conformance

// Runs the enclosing TEST_CASE once per backend; `name` is the backend's name, shown with every
// failure.
#define STORE_BACKEND(name)                                                                 \
  const std::string name = GENERATE(from_range(::knutpunkt::conformance::backend_names())); \
  INFO("backend: " << name)
