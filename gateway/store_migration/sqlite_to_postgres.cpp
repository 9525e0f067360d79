#include "store_migration/sqlite_to_postgres.h"

#include <sqlite3.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "audit/audit_verifier.h"
#include "store/postgres/pg_connection.h"

namespace knutpunkt::store_migration {
namespace {

// Every table of the SQLite store is named here with what the copy does with it, so a table added
// later is refused ("unknown_table") until someone decides, instead of being left behind silently.
enum class Rule { copy_rows, audit_chain, rebuilt, transient };
const std::map<std::string, Rule, std::less<>> kTables = {
    // The chain is copied through the target store's commit, which writes its index rows too.
    {"audit_log", Rule::audit_chain},
    {"audit_index", Rule::rebuilt},
    {"audit_person", Rule::rebuilt},
    {"audit_checkpoint", Rule::copy_rows},
    // Held only inside a retention run's transaction; never present in a snapshot.
    {"audit_retention_permit", Rule::transient},
    {"schema_version", Rule::transient},
    {"outbox", Rule::copy_rows},
    {"delivery_attempt", Rule::copy_rows},
    // Who delivers what is decided again by the instances that run on the target.
    {"delivery_lease", Rule::transient},
    {"case_event", Rule::copy_rows},
    {"referral", Rule::copy_rows},
    {"referral_change", Rule::copy_rows},
    {"idempotency_key", Rule::copy_rows},
    {"inbound_receipt", Rule::copy_rows},
    {"consent", Rule::copy_rows},
    {"case_file", Rule::copy_rows},
    {"case_member", Rule::copy_rows},
    {"protected_person", Rule::copy_rows},
    {"manual_item", Rule::copy_rows},
    {"sip_plan", Rule::copy_rows},
    {"sip_plan_version", Rule::copy_rows},
    {"sip_reminder", Rule::copy_rows},
    {"attendance_day", Rule::copy_rows},
    {"attendance_month", Rule::copy_rows},
    {"attendance_summary", Rule::copy_rows},
    {"referral_report", Rule::copy_rows},
    {"referral_reminder", Rule::copy_rows},
    // Signed-in users sign in again on the new store; failure budgets start afresh, under the
    // target's own key for user names.
    {"console_session", Rule::transient},
    {"sign_in_budget", Rule::transient},
    {"sign_in_key", Rule::transient},
};

constexpr std::size_t kAuditBatch = 1000;

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

StoreError source_error(sqlite3* db, std::string_view doing) {
  return StoreError{"sqlite_error", std::string(doing) + ": " + sqlite3_errmsg(db)};
}

std::expected<Statement, StoreError> prepare(sqlite3* db, const std::string& sql, std::string_view doing) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
    return std::unexpected(source_error(db, doing));
  return Statement(s);
}

std::string column_text(sqlite3_stmt* s, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(s, column))) : std::string();
}

// Table names are SQL identifiers from the two schemas themselves (never from input), quoted all
// the same.
std::string identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

struct TargetColumn {
  std::string type;  // information_schema data_type, e.g. "boolean", "bigint", "text"
  bool identity = false;
};

std::expected<std::map<std::string, TargetColumn>, StoreError> target_columns(pg::Connection& pg,
                                                                              const std::string& table) {
  auto r = pg.query(
      "SELECT column_name, data_type, is_identity FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND table_name = $1",
      pg::Params().add(table), "read the target's columns");
  if (!r) return std::unexpected(r.error());
  std::map<std::string, TargetColumn> columns;
  for (int i = 0; i < r->rows(); ++i) columns[r->text(i, 0)] = TargetColumn{r->text(i, 1), r->text(i, 2) == "YES"};
  return columns;
}

std::expected<std::int64_t, StoreError> source_count(sqlite3* db, const std::string& table) {
  auto s = prepare(db, "SELECT COUNT(*) FROM " + identifier(table), "count the source's rows");
  if (!s) return std::unexpected(s.error());
  if (sqlite3_step(s->get()) != SQLITE_ROW) return std::unexpected(source_error(db, "count the source's rows"));
  return sqlite3_column_int64(s->get(), 0);
}

std::expected<std::int64_t, StoreError> target_count(pg::Connection& pg, const std::string& table) {
  auto r = pg.query("SELECT COUNT(*) FROM " + identifier(table), {}, "count the target's rows");
  if (!r) return std::unexpected(r.error());
  return r->int64(0, 0);
}

// Copies one table's rows in one target transaction, column by column as named in the source
// (every one of which the target must have), then moves an identity column's sequence past them.
std::expected<std::int64_t, StoreError> copy_rows(sqlite3* db, pg::Connection& pg, const std::string& table) {
  auto columns = target_columns(pg, table);
  if (!columns) return std::unexpected(columns.error());
  if (columns->empty()) return std::unexpected(StoreError{"unknown_table", "the target has no table " + table});
  auto select = prepare(db, "SELECT * FROM " + identifier(table), "read the source's rows");
  if (!select) return std::unexpected(select.error());
  sqlite3_stmt* s = select->get();
  const int n = sqlite3_column_count(s);
  std::vector<const TargetColumn*> types;
  std::string names, placeholders;
  std::optional<std::string> identity;
  for (int c = 0; c < n; ++c) {
    const std::string name = sqlite3_column_name(s, c);
    auto it = columns->find(name);
    if (it == columns->end()) {
      return std::unexpected(StoreError{"unknown_table", "the target's " + table + " has no column " + name});
    }
    types.push_back(&it->second);
    if (it->second.identity) identity = name;
    names += (c ? ", " : "") + identifier(name);
    placeholders += (c ? ", $" : "$") + std::to_string(c + 1);
  }
  // Identity values (the feed's seq, the outbox's position) are kept as they are: clients hold
  // feed cursors, and the order of acceptance is the order of delivery.
  const std::string insert = "INSERT INTO " + identifier(table) + " (" + names + ")" +
                             (identity ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (" + placeholders + ")";
  pg::Transaction tx(pg);
  if (auto ok = tx.begin(); !ok) return std::unexpected(ok.error().error);
  std::int64_t copied = 0;
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    pg::Params row;
    for (int c = 0; c < n; ++c) {
      if (sqlite3_column_type(s, c) == SQLITE_NULL) {
        row.null();
      } else if (types[static_cast<std::size_t>(c)]->type == "boolean") {
        row.add(sqlite3_column_int64(s, c) != 0);
      } else {
        row.add(column_text(s, c));
      }
    }
    if (auto ok = pg.run(insert, row, "copy a row"); !ok) return std::unexpected(ok.error());
    ++copied;
  }
  if (step != SQLITE_DONE) return std::unexpected(source_error(db, "read the source's rows"));
  if (identity && copied > 0) {
    auto ok = pg.run("SELECT setval(pg_get_serial_sequence($1, $2), (SELECT MAX(" + identifier(*identity) + ") FROM " +
                         identifier(table) + "))",
                     pg::Params().add(identifier(table)).add(*identity), "move the identity past the copied rows");
    if (!ok) return std::unexpected(ok.error());
  }
  if (auto ok = tx.commit(); !ok) return std::unexpected(ok.error().error);
  return copied;
}

// The chain, record for record as stored (seq, recorded_at, body text, hashes), through the
// target store's commit, which writes each record's index rows and moves the chain's tip.
std::expected<std::int64_t, StoreError> copy_audit_chain(sqlite3* db, Store& target) {
  auto select = prepare(db, "SELECT seq, recorded_at, kind, body, prev_hash, hash FROM audit_log ORDER BY seq",
                        "read the source's audit log");
  if (!select) return std::unexpected(select.error());
  sqlite3_stmt* s = select->get();
  std::vector<AuditRecord> batch;
  std::int64_t copied = 0;
  const auto flush = [&]() -> std::expected<void, StoreError> {
    if (batch.empty()) return {};
    if (auto ok = target.commit(batch, {}); !ok) return ok;
    copied += static_cast<std::int64_t>(batch.size());
    batch.clear();
    return {};
  };
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    AuditRecord r;
    r.seq = sqlite3_column_int64(s, 0);
    r.recorded_at = column_text(s, 1);
    r.kind = column_text(s, 2);
    r.body = nlohmann::json::parse(column_text(s, 3), nullptr, false);
    if (r.body.is_discarded()) {
      return std::unexpected(StoreError{
          "chain_broken", "the source's record " + std::to_string(r.seq) + " holds a body that is not JSON"});
    }
    r.prev_hash = column_text(s, 4);
    r.hash = column_text(s, 5);
    batch.push_back(std::move(r));
    if (batch.size() == kAuditBatch) {
      if (auto ok = flush(); !ok) return std::unexpected(ok.error());
    }
  }
  if (step != SQLITE_DONE) return std::unexpected(source_error(db, "read the source's audit log"));
  if (auto ok = flush(); !ok) return std::unexpected(ok.error());
  return copied;
}

}  // namespace

std::expected<CopyReport, StoreError> copy_sqlite_to_postgres(const std::filesystem::path& source,
                                                              const PostgresSettings& target) {
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(source.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  Database db(raw);
  if (opened != SQLITE_OK) return std::unexpected(source_error(raw, "open the source"));
  sqlite3_busy_timeout(db.get(), 5000);
  // One read transaction over every table: in WAL mode it sees one snapshot while the gateway
  // may go on writing.
  if (sqlite3_exec(db.get(), "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return std::unexpected(source_error(db.get(), "begin reading the source"));
  }

  std::vector<std::string> tables;
  {
    auto list = prepare(db.get(), "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                        "list the source's tables");
    if (!list) return std::unexpected(list.error());
    while (sqlite3_step(list->get()) == SQLITE_ROW) tables.push_back(column_text(list->get(), 0));
  }
  for (const std::string& table : tables) {
    if (!kTables.contains(table)) {
      return std::unexpected(StoreError{"unknown_table", "no rule to copy the source's table " + table});
    }
  }

  auto store = open_postgres_store(target);
  if (!store) return std::unexpected(store.error());
  auto pg = pg::Connection::open(target.connection, target.password);
  if (!pg) return std::unexpected(pg.error());

  for (const std::string& table : tables) {
    const Rule rule = kTables.find(table)->second;
    if (rule != Rule::copy_rows && rule != Rule::audit_chain) continue;
    auto rows = target_count(**pg, table);
    if (!rows) return std::unexpected(rows.error());
    if (*rows > 0) return std::unexpected(StoreError{"target_not_empty", "the target's " + table + " holds rows"});
  }

  CopyReport report;
  // The checkpoint first: after retention the chain's first record links to it.
  std::vector<std::string> order{"audit_checkpoint"};
  for (const std::string& table : tables) {
    if (table != "audit_checkpoint") order.push_back(table);
  }
  for (const std::string& table : order) {
    if (std::find(tables.begin(), tables.end(), table) == tables.end()) continue;
    const Rule rule = kTables.find(table)->second;
    if (rule == Rule::audit_chain) {
      auto copied = copy_audit_chain(db.get(), **store);
      if (!copied) return std::unexpected(copied.error());
      report.audit_records = *copied;
    } else if (rule == Rule::copy_rows) {
      auto copied = copy_rows(db.get(), **pg, table);
      if (!copied) return std::unexpected(copied.error());
      report.rows[table] = *copied;
    }
  }

  // What was copied is checked on the target, not assumed.
  for (const auto& [table, copied] : report.rows) {
    auto in_source = source_count(db.get(), table);
    auto in_target = target_count(**pg, table);
    if (!in_source) return std::unexpected(in_source.error());
    if (!in_target) return std::unexpected(in_target.error());
    if (*in_source != *in_target || *in_target != copied) {
      return std::unexpected(StoreError{"count_mismatch", table + ": " + std::to_string(*in_source) +
                                                              " rows in the source, " + std::to_string(*in_target) +
                                                              " in the target"});
    }
  }
  sqlite3_exec(db.get(), "COMMIT", nullptr, nullptr, nullptr);
  auto verified = verify_chain(**store);
  if (!verified) return std::unexpected(verified.error());
  if (!verified->intact() || verified->records != report.audit_records) {
    return std::unexpected(StoreError{"chain_broken", "the target's audit chain does not verify after the copy"});
  }
  report.head_seq = verified->head_seq;
  report.head_hash = verified->head_hash;
  return report;
}

}  // namespace knutpunkt::store_migration
