#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <array>
#include <mutex>
#include <string_view>

namespace knutpunkt {
namespace {

// Schema history. Append a new entry for every change; never edit an applied one, since the
// version recorded in schema_version says which entries a database already has.
struct Migration {
  int version;
  std::string_view sql;
};

constexpr std::array kMigrations{
    Migration{1, R"sql(
      CREATE TABLE audit_log (
        seq         INTEGER PRIMARY KEY,
        recorded_at TEXT NOT NULL,
        kind        TEXT NOT NULL,
        body        TEXT NOT NULL,
        prev_hash   TEXT NOT NULL,
        hash        TEXT NOT NULL
      );
      -- Auditors search by kind and time (loggkontroll: volumes, out-of-hours use).
      CREATE INDEX audit_log_kind_time ON audit_log (kind, recorded_at);
      CREATE INDEX audit_log_time ON audit_log (recorded_at);
      -- The log is append-only. Tampering is detected by the hash chain, not prevented; these
      -- triggers stop the application's own mistakes. Retention (gallring) will need a
      -- migration that replaces them with a checkpointed weeding procedure.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    )sql"},
};

// Rows read per lock hold while scanning, so the writer is never stalled for long.
constexpr int kScanPageRows = 512;

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

StoreError sqlite_error(sqlite3* db, std::string_view doing) {
  const int rc = sqlite3_errcode(db);
  const bool busy = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
  return StoreError{busy ? "busy" : "sqlite_error", std::string(doing) + ": " + sqlite3_errmsg(db)};
}

std::expected<void, StoreError> exec(sqlite3* db, std::string_view sql, std::string_view doing) {
  if (sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return std::unexpected(sqlite_error(db, doing));
  }
  return {};
}

std::expected<Statement, StoreError> prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, nullptr) !=
      SQLITE_OK) {
    return std::unexpected(sqlite_error(db, "prepare"));
  }
  return Statement(raw);
}

std::string column_text(sqlite3_stmt* s, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(s, column))) : std::string();
}

AuditRecord read_record(sqlite3_stmt* s) {
  AuditRecord r;
  r.seq = sqlite3_column_int64(s, 0);
  r.recorded_at = column_text(s, 1);
  r.kind = column_text(s, 2);
  // Not valid JSON any more -> discarded value (see store.h): the verifier reports it.
  r.body = nlohmann::json::parse(column_text(s, 3), nullptr, /*allow_exceptions=*/false);
  r.prev_hash = column_text(s, 4);
  r.hash = column_text(s, 5);
  return r;
}

std::expected<void, StoreError> migrate(sqlite3* db) {
  if (auto ok = exec(db,
                     "CREATE TABLE IF NOT EXISTS schema_version ("
                     " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
                     "create schema_version");
      !ok) {
    return ok;
  }
  auto current_stmt = prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!current_stmt) return std::unexpected(current_stmt.error());
  if (sqlite3_step(current_stmt->get()) != SQLITE_ROW) return std::unexpected(sqlite_error(db, "read schema version"));
  const int current = sqlite3_column_int(current_stmt->get(), 0);
  current_stmt->reset();

  if (current > kMigrations.back().version) {
    return std::unexpected(StoreError{"schema_too_new", "database schema version " + std::to_string(current) +
                                                            " is newer than this build knows (" +
                                                            std::to_string(kMigrations.back().version) + ")"});
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= current) continue;
    // BEGIN IMMEDIATE: two processes opening the same file at once must not both migrate.
    if (auto ok = exec(db, "BEGIN IMMEDIATE", "begin migration"); !ok) return ok;
    // Re-read inside the transaction: another process may have migrated meanwhile.
    auto again = prepare(db, "SELECT 1 FROM schema_version WHERE version = ?1");
    if (!again) {
      exec(db, "ROLLBACK", "rollback");
      return std::unexpected(again.error());
    }
    sqlite3_bind_int(again->get(), 1, m.version);
    const bool applied = sqlite3_step(again->get()) == SQLITE_ROW;
    again->reset();
    auto ok = applied ? std::expected<void, StoreError>{} : exec(db, m.sql, "migration " + std::to_string(m.version));
    if (ok && !applied) {
      ok = exec(db,
                "INSERT INTO schema_version (version, applied_at) VALUES (" + std::to_string(m.version) +
                    ", strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                "record migration");
    }
    if (ok) ok = exec(db, "COMMIT", "commit migration");
    if (!ok) {
      exec(db, "ROLLBACK", "rollback");
      return ok;
    }
  }
  return {};
}

class SqliteStore final : public Store {
 public:
  static std::expected<std::unique_ptr<Store>, StoreError> open(const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
    // NOMUTEX: every use of the connection is serialised by SqliteStore::mutex_.
    const int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    Database db(raw);
    if (rc != SQLITE_OK) {
      return std::unexpected(StoreError{
          "sqlite_open", std::string("cannot open database: ") + (raw ? sqlite3_errmsg(raw) : "out of memory")});
    }
    sqlite3_extended_result_codes(db.get(), 1);
    // Waits for another process's write lock instead of failing at once (e.g. a verifier).
    sqlite3_busy_timeout(db.get(), 5000);

    // WAL lets readers (verifier, auditor queries) run beside the writer; FULL fsyncs the WAL
    // at every commit, which is what makes an acknowledged append durable across power loss
    // (NORMAL would only survive a process crash).
    auto mode = prepare(db.get(), "PRAGMA journal_mode=WAL");
    if (!mode) return std::unexpected(mode.error());
    if (sqlite3_step(mode->get()) != SQLITE_ROW || column_text(mode->get(), 0) != "wal") {
      return std::unexpected(StoreError{"sqlite_error", "cannot switch the database to WAL journal mode"});
    }
    mode->reset();
    if (auto ok = exec(db.get(), "PRAGMA synchronous=FULL", "set synchronous"); !ok) return std::unexpected(ok.error());
    if (auto ok = migrate(db.get()); !ok) return std::unexpected(ok.error());

    auto store = std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db)));
    if (auto ok = store->prepare_statements(); !ok) return std::unexpected(ok.error());
    return store;
  }

  std::expected<void, StoreError> append_audit(const std::vector<AuditRecord>& batch) override {
    if (batch.empty()) return {};
    // Encode before taking the lock or opening a transaction: a body that cannot be encoded
    // must fail the batch without touching the database.
    std::vector<std::string> bodies;
    bodies.reserve(batch.size());
    for (const AuditRecord& r : batch) {
      if (r.body.is_discarded()) return std::unexpected(StoreError{"invalid_body", "audit body is not a JSON value"});
      try {
        bodies.push_back(r.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict));
      } catch (const nlohmann::json::exception&) {
        return std::unexpected(StoreError{"invalid_body", "audit body is not valid UTF-8"});
      }
    }

    std::lock_guard lock(mutex_);
    if (auto ok = step_done(begin_.get(), "begin"); !ok) return ok;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const AuditRecord& r = batch[i];
      sqlite3_stmt* s = insert_.get();
      sqlite3_bind_int64(s, 1, r.seq);
      sqlite3_bind_text(s, 2, r.recorded_at.data(), static_cast<int>(r.recorded_at.size()), SQLITE_STATIC);
      sqlite3_bind_text(s, 3, r.kind.data(), static_cast<int>(r.kind.size()), SQLITE_STATIC);
      sqlite3_bind_text(s, 4, bodies[i].data(), static_cast<int>(bodies[i].size()), SQLITE_STATIC);
      sqlite3_bind_text(s, 5, r.prev_hash.data(), static_cast<int>(r.prev_hash.size()), SQLITE_STATIC);
      sqlite3_bind_text(s, 6, r.hash.data(), static_cast<int>(r.hash.size()), SQLITE_STATIC);
      auto ok = step_done(s, "insert audit record");
      sqlite3_clear_bindings(s);
      if (!ok) {
        rollback();
        return ok;
      }
    }
    if (auto ok = step_done(commit_.get(), "commit"); !ok) {
      rollback();
      return ok;
    }
    return {};
  }

  std::expected<std::optional<AuditRecord>, StoreError> last_audit_record() override {
    std::lock_guard lock(mutex_);
    sqlite3_stmt* s = last_.get();
    const int rc = sqlite3_step(s);
    std::expected<std::optional<AuditRecord>, StoreError> result;
    if (rc == SQLITE_ROW) {
      result = read_record(s);
    } else if (rc != SQLITE_DONE) {
      result = std::unexpected(sqlite_error(db_.get(), "read last audit record"));
    }
    sqlite3_reset(s);
    return result;
  }

  std::expected<void, StoreError> scan_audit(std::int64_t from_seq,
                                             const std::function<bool(const AuditRecord&)>& visit) override {
    std::vector<AuditRecord> page;
    for (;;) {
      page.clear();
      {
        std::lock_guard lock(mutex_);
        sqlite3_stmt* s = scan_.get();
        sqlite3_bind_int64(s, 1, from_seq);
        sqlite3_bind_int(s, 2, kScanPageRows);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) page.push_back(read_record(s));
        std::optional<StoreError> failed;
        if (rc != SQLITE_DONE) failed = sqlite_error(db_.get(), "scan audit log");
        sqlite3_reset(s);
        if (failed) return std::unexpected(std::move(*failed));
      }
      for (const AuditRecord& r : page) {
        if (!visit(r)) return {};
      }
      if (page.size() < static_cast<std::size_t>(kScanPageRows)) return {};
      from_seq = page.back().seq + 1;
    }
  }

  std::expected<void, StoreError> ping() override {
    std::lock_guard lock(mutex_);
    sqlite3_stmt* s = ping_.get();
    const int rc = sqlite3_step(s);
    std::expected<void, StoreError> result;
    if (rc != SQLITE_ROW) result = std::unexpected(sqlite_error(db_.get(), "ping"));
    sqlite3_reset(s);
    return result;
  }

 private:
  explicit SqliteStore(Database db) : db_(std::move(db)) {}

  std::expected<void, StoreError> prepare_statements() {
    const auto make = [this](Statement& into, std::string_view sql) -> std::expected<void, StoreError> {
      auto s = prepare(db_.get(), sql);
      if (!s) return std::unexpected(s.error());
      into = std::move(*s);
      return {};
    };
    constexpr std::string_view kColumns = "seq, recorded_at, kind, body, prev_hash, hash";
    for (auto ok :
         {make(begin_, "BEGIN IMMEDIATE"), make(commit_, "COMMIT"), make(rollback_, "ROLLBACK"),
          make(insert_,
               "INSERT INTO audit_log (seq, recorded_at, kind, body, prev_hash, hash) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
          make(last_, "SELECT " + std::string(kColumns) + " FROM audit_log ORDER BY seq DESC LIMIT 1"),
          make(scan_, "SELECT " + std::string(kColumns) + " FROM audit_log WHERE seq >= ?1 ORDER BY seq LIMIT ?2"),
          make(ping_, "SELECT 1")}) {
      if (!ok) return ok;
    }
    return {};
  }

  std::expected<void, StoreError> step_done(sqlite3_stmt* s, std::string_view doing) {
    const int rc = sqlite3_step(s);
    std::expected<void, StoreError> result;
    if (rc != SQLITE_DONE) result = std::unexpected(sqlite_error(db_.get(), doing));
    sqlite3_reset(s);
    return result;
  }

  void rollback() {
    // A failed COMMIT may already have rolled back (e.g. on I/O error); only roll back an
    // open transaction.
    if (sqlite3_get_autocommit(db_.get()) == 0) {
      sqlite3_step(rollback_.get());
      sqlite3_reset(rollback_.get());
    }
  }

  std::mutex mutex_;
  Database db_;
  Statement begin_, commit_, rollback_, insert_, last_, scan_, ping_;
};

}  // namespace

std::expected<std::unique_ptr<Store>, StoreError> open_sqlite_store(const std::filesystem::path& path) {
  return SqliteStore::open(path);
}

}  // namespace knutpunkt
