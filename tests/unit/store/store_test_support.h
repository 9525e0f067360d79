#pragma once
// The SQLite store tests open real database files and look past the Store interface with SQL of
// their own, as an administrator (or intruder) with the file would: one way of doing so for all.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace store_test {

using knutpunkt::test_support::TempDir;

inline std::unique_ptr<knutpunkt::Store> open_store(const std::filesystem::path& file) {
  auto store = knutpunkt::open_sqlite_store(file);
  INFO((store ? std::string() : store.error().code + ": " + store.error().message));
  REQUIRE(store.has_value());
  return std::move(*store);
}

// Runs SQL on the file through a connection of its own; SQLite's result code.
inline int raw_exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  if (error) {
    UNSCOPED_INFO(error);
    sqlite3_free(error);
  }
  sqlite3_close(db);
  return rc;
}

// The first column of the query's first row ("" when there is none).
inline std::string raw_text(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

}  // namespace store_test
