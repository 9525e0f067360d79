#pragma once
// Shared by the unit_audit test files: a temporary directory, raw SQL on the database file (as
// an intruder with file access would use), a synchronous append, and the verifier's verdict.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <future>
#include <string>

#include "audit/audit_log.h"
#include "audit/audit_verifier.h"
#include "store/sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace audit_test {

using knutpunkt::test_support::TempDir;

inline std::unique_ptr<knutpunkt::Store> open_store(const std::filesystem::path& file) {
  auto store = knutpunkt::open_sqlite_store(file);
  REQUIRE(store.has_value());
  return std::move(*store);
}

inline void raw_exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  const std::string error = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  INFO(error);
  REQUIRE(rc == SQLITE_OK);
}

// The append-only triggers are the first thing an intruder drops.
inline void tamper(const std::filesystem::path& file, const std::string& sql) {
  raw_exec(file, "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; " + sql);
}

inline std::expected<knutpunkt::AuditReceipt, knutpunkt::StoreError> append_and_wait(knutpunkt::AuditLog& log,
                                                                                     std::string kind,
                                                                                     nlohmann::json body) {
  std::promise<std::expected<knutpunkt::AuditReceipt, knutpunkt::StoreError>> done;
  auto outcome = done.get_future();
  log.append(std::move(kind), std::move(body), [&done](auto result) { done.set_value(std::move(result)); });
  return outcome.get();
}

// A log of `count` lookups with distinct bodies, through AuditLog (so hashes are real).
inline void write_chain(knutpunkt::Store& store, int count) {
  auto log = knutpunkt::AuditLog::open(store);
  REQUIRE(log.has_value());
  for (int i = 1; i <= count; ++i) {
    REQUIRE(append_and_wait(**log, "lookup", {{"case", "C-" + std::to_string(i)}, {"n", i}}).has_value());
  }
}

// The verifier's verdict as text a CHECK compares and prints: "intact", or the first problem @ seq.
inline std::string problem(const knutpunkt::VerifyReport& report) {
  if (!report.first_problem) return "intact";
  return report.first_problem->problem + "@" + std::to_string(report.first_problem->seq);
}

// Moves records seq >= from up by `by` (two steps: the primary key forbids overlap midway).
inline std::string renumber_from(std::int64_t from, int by) {
  return "UPDATE audit_log SET seq = -seq WHERE seq >= " + std::to_string(from) +
         "; UPDATE audit_log SET seq = -seq + (" + std::to_string(by) + ") WHERE seq < 0;";
}

}  // namespace audit_test
