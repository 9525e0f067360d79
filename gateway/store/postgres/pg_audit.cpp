#include "store/postgres/pg_audit.h"

#include <algorithm>

#include "store/postgres/pg_json.h"

namespace knutpunkt::pg {

std::string_view audit_schema() {
  return R"sql(
    -- The tamper-evident log. recorded_at is compared as text (RFC 3339 UTC), byte by byte as
    -- SQLite does, hence the "C" collation wherever text is ordered or ranged.
    CREATE TABLE audit_log (
      seq         bigint PRIMARY KEY,
      recorded_at text COLLATE "C" NOT NULL,
      kind        text NOT NULL,
      body        text NOT NULL,
      prev_hash   text NOT NULL,
      hash        text NOT NULL
    );
    -- Auditors search by kind and time (loggkontroll: volumes, out-of-hours use).
    CREATE INDEX audit_log_kind_time ON audit_log (kind, recorded_at);
    CREATE INDEX audit_log_time ON audit_log (recorded_at, seq);

    -- Where the chain ends. Every commit that appends locks this one row first, which
    -- serialises appends across processes; seq NULL: the log is empty.
    CREATE TABLE audit_head (
      one  integer PRIMARY KEY CHECK (one = 1),
      seq  bigint,
      hash text
    );
    INSERT INTO audit_head (one) VALUES (1);

    -- Retention (gallring): deleting from audit_log is possible only while a retention run
    -- holds the permit inside its own transaction; everyone else meets the trigger. Tampering
    -- is detected by the hash chain, not prevented; the trigger stops the application's own
    -- mistakes.
    CREATE TABLE audit_retention_permit (one integer PRIMARY KEY CHECK (one = 1));
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_retention_permit) THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'audit_log is append-only';
    END $$;
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

    CREATE TABLE audit_checkpoint (
      through_seq     bigint PRIMARY KEY,
      through_hash    text NOT NULL,
      removed_records bigint NOT NULL,
      removed_before  text NOT NULL,
      created_at      text NOT NULL,
      key_id          text NOT NULL,
      signature       text NOT NULL
    );

    -- The audit index, one row per record, written in the same transaction as the record.
    -- persons repeats audit_person as a JSON array so a page of results needs no second read.
    CREATE TABLE audit_index (
      seq         bigint PRIMARY KEY,
      recorded_at text COLLATE "C" NOT NULL,
      kind        text NOT NULL,
      operation   text NOT NULL,
      outcome     text NOT NULL,
      reason      text NOT NULL,
      client      text NOT NULL,
      caseworker  text NOT NULL,
      case_id     text NOT NULL,
      partner     text NOT NULL,
      persons     text NOT NULL
    );
    -- Who was looked up, newest first: one row per person a record is about.
    CREATE TABLE audit_person (
      person_id text NOT NULL,
      seq       bigint NOT NULL,
      PRIMARY KEY (person_id, seq)
    );
    CREATE INDEX audit_person_seq ON audit_person (seq);
    -- Each ends in seq, so "newest first from a cursor" reads only the rows it returns.
    CREATE INDEX audit_index_case ON audit_index (case_id, seq);
    CREATE INDEX audit_index_caseworker ON audit_index (caseworker, seq);
    CREATE INDEX audit_index_client ON audit_index (client, seq);
    CREATE INDEX audit_index_partner ON audit_index (partner, seq);
    CREATE INDEX audit_index_operation ON audit_index (operation, seq);
    CREATE INDEX audit_index_outcome ON audit_index (outcome, seq);
  )sql";
}

namespace {

constexpr std::string_view kAuditColumns = "seq, recorded_at, kind, body, prev_hash, hash";

AuditRecord read_record(const Result& r, int row, int first = 0) {
  AuditRecord a;
  a.seq = r.int64(row, first);
  a.recorded_at = r.text(row, first + 1);
  a.kind = r.text(row, first + 2);
  // Not valid JSON any more -> discarded value (audit_store.h): the verifier reports it.
  a.body = decode_json(r.text(row, first + 3));
  a.prev_hash = r.text(row, first + 4);
  a.hash = r.text(row, first + 5);
  return a;
}

std::expected<void, StoreError> insert_index_row(Connection& c, const AuditRecord& r, const AuditIndexEntry& e) {
  auto ok = c.run(
      "INSERT INTO audit_index (seq, recorded_at, kind, operation, outcome, reason, client, caseworker, case_id, "
      "partner, persons) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
      Params()
          .add(r.seq)
          .add(r.recorded_at)
          .add(r.kind)
          .add(e.operation)
          .add(e.outcome)
          .add(e.reason)
          .add(e.client)
          .add(e.caseworker)
          .add(e.case_id)
          .add(e.partner)
          .add(nlohmann::json(e.persons).dump()),
      "insert audit index row");
  for (const std::string& person : e.persons) {
    if (!ok) break;
    ok = c.run("INSERT INTO audit_person (person_id, seq) VALUES ($1, $2)", Params().add(person).add(r.seq),
               "insert audit person row");
  }
  return ok;
}

// Person, case and caseworker pick out few records in any period; the rest can match most of
// the log (the same split as the SQLite store's, so both page alike).
bool narrow(const AuditQuery& q) {
  return !q.person_id.empty() || !q.case_id.empty() || !q.caseworker.empty();
}

}  // namespace

std::expected<std::optional<AuditChainTip>, StoreError> lock_chain_head(Connection& c) {
  auto r = c.query("SELECT seq, hash FROM audit_head WHERE one = 1 FOR UPDATE", {}, "lock chain head");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0 || r->is_null(0, 0)) return std::nullopt;
  return AuditChainTip{r->int64(0, 0), r->text(0, 1)};
}

std::expected<void, StoreError> insert_audit_record(Connection& c, const AuditRecord& r, const std::string& body,
                                                    const AuditIndexEntry& entry) {
  auto ok = c.run(
      "INSERT INTO audit_log (seq, recorded_at, kind, body, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6)",
      Params().add(r.seq).add(r.recorded_at).add(r.kind).add(body).add(r.prev_hash).add(r.hash), "insert audit record");
  // The index row commits with its record: a record is never unsearchable.
  if (ok) ok = insert_index_row(c, r, entry);
  return ok;
}

std::expected<void, StoreError> move_chain_head(Connection& c, std::int64_t seq, const std::string& hash) {
  return c.run("UPDATE audit_head SET seq = $1, hash = $2 WHERE one = 1 AND (seq IS NULL OR seq < $1)",
               Params().add(seq).add(hash), "move chain head");
}

std::expected<void, StoreError> insert_audit_records(Connection& c, const std::vector<AuditRecord>& records,
                                                     const std::vector<std::string>& bodies,
                                                     const std::vector<AuditIndexEntry>& entries) {
  const AuditRecord* newest = nullptr;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (auto ok = insert_audit_record(c, records[i], bodies[i], entries[i]); !ok) return ok;
    if (newest == nullptr || records[i].seq > newest->seq) newest = &records[i];
  }
  if (newest == nullptr) return {};
  return move_chain_head(c, newest->seq, newest->hash);
}

std::expected<void, StoreError> apply(Connection& c, const store_write::RemoveAuditThrough& w) {
  const AuditCheckpoint& k = w.checkpoint;
  const Params through = Params().add(k.through_seq);
  for (const auto& [sql, doing] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"INSERT INTO audit_retention_permit (one) VALUES (1)", "take the retention permit"},
           {"DELETE FROM audit_person WHERE seq <= $1", "remove audit person rows"},
           {"DELETE FROM audit_index WHERE seq <= $1", "remove audit index rows"},
           {"DELETE FROM audit_log WHERE seq <= $1", "remove audit records"},
           {"DELETE FROM audit_retention_permit", "return the retention permit"},
           // Removing every record empties the log, as the head must then say.
           {"UPDATE audit_head SET seq = NULL, hash = NULL WHERE one = 1 AND NOT EXISTS (SELECT 1 FROM audit_log)",
            "move chain head"}}) {
    const bool binds = sql.find("$1") != std::string_view::npos;
    if (auto ok = c.run(sql, binds ? through : Params(), doing); !ok) return ok;
  }
  return c.run(
      "INSERT INTO audit_checkpoint (through_seq, through_hash, removed_records, removed_before, created_at, key_id, "
      "signature) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      Params()
          .add(k.through_seq)
          .add(k.through_hash)
          .add(k.removed_records)
          .add(k.removed_before)
          .add(k.created_at)
          .add(k.key_id)
          .add(k.signature),
      "store audit checkpoint");
}

std::expected<std::optional<AuditCheckpoint>, StoreError> latest_audit_checkpoint(Connection& c) {
  auto r = c.query(
      "SELECT through_seq, through_hash, removed_records, removed_before, created_at, key_id, signature "
      "FROM audit_checkpoint ORDER BY through_seq DESC LIMIT 1",
      {}, "read audit checkpoint");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return AuditCheckpoint{r->int64(0, 0), r->text(0, 1), r->int64(0, 2), r->text(0, 3),
                         r->text(0, 4),  r->text(0, 5), r->text(0, 6)};
}

std::expected<std::optional<AuditRecord>, StoreError> last_audit_record(Connection& c) {
  auto r = c.query("SELECT " + std::string(kAuditColumns) + " FROM audit_log ORDER BY seq DESC LIMIT 1", {},
                   "read last audit record");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return read_record(*r, 0);
}

std::expected<std::vector<AuditRecord>, StoreError> audit_page(Connection& c, std::int64_t from_seq) {
  auto r = c.query("SELECT " + std::string(kAuditColumns) + " FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2",
                   Params().add(from_seq).add(kScanPageRows), "scan audit log");
  if (!r) return std::unexpected(r.error());
  std::vector<AuditRecord> page;
  page.reserve(static_cast<std::size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) page.push_back(read_record(*r, i));
  return page;
}

std::expected<void, StoreError> stored_audit_page(Connection& c, std::int64_t from_seq, std::size_t max_rows,
                                                  StoredAuditPage& page) {
  page.clear();
  auto r = c.query("SELECT " + std::string(kAuditColumns) + " FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2",
                   Params().add(from_seq).add(static_cast<std::int64_t>(max_rows)), "read stored audit page");
  if (!r) return std::unexpected(r.error());
  // The text as libpq holds it, copied once into the page.
  const auto text = [&](int row, int column) {
    return std::string_view(PQgetvalue(r->get(), row, column),
                            static_cast<std::size_t>(PQgetlength(r->get(), row, column)));
  };
  for (int i = 0; i < r->rows(); ++i) {
    page.add(r->int64(i, 0), text(i, 1), text(i, 2), text(i, 3), text(i, 4), text(i, 5));
  }
  return {};
}

std::expected<std::optional<std::pair<std::int64_t, std::int64_t>>, StoreError> audit_seq_range(
    Connection& c, const std::string& since, const std::string& until) {
  // recorded_at need not grow with seq (the clock may be set back): the true MIN and MAX.
  std::string sql = "SELECT MIN(seq), MAX(seq) FROM audit_log";
  Params params;
  if (!since.empty()) {
    params.add(since);
    sql += " WHERE recorded_at >= $1";
  }
  if (!until.empty()) {
    params.add(until);
    sql += (since.empty() ? " WHERE recorded_at < $" : " AND recorded_at < $") + std::to_string(params.size());
  }
  auto r = c.query(sql, params, "read audit seq range");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0 || r->is_null(0, 0)) return std::nullopt;
  return std::pair{r->int64(0, 0), r->int64(0, 1)};
}

std::expected<SeqWindow, StoreError> audit_seq_window(Connection& c, const AuditQuery& q) {
  // A query narrowed by person, case or caseworker checks its time bounds on the few rows its
  // index yields; any other turns them into a seq range first, so "last month's refusals" does
  // not walk years of refusals to get there.
  SeqWindow w;
  w.before = std::max<std::int64_t>(q.before_seq, 0);
  if (narrow(q) || (q.since.empty() && q.until.empty())) return w;
  auto range = audit_seq_range(c, q.since, q.until);
  if (!range) return std::unexpected(range.error());
  if (!*range) {
    w.empty = true;
    return w;
  }
  w.after = (*range)->first - 1;
  const std::int64_t end = (*range)->second + 1;
  w.before = w.before == 0 ? end : std::min(w.before, end);
  return w;
}

std::expected<std::vector<IndexedAuditRecord>, StoreError> audit_index_page(Connection& c, const AuditQuery& q,
                                                                            bool oldest_first, const SeqWindow& w,
                                                                            int limit) {
  Params params;
  std::string where;
  const auto param = [&](const auto& v) {
    params.add(v);
    return "$" + std::to_string(params.size());
  };
  const auto add = [&](const std::string& condition) {
    where += where.empty() ? " WHERE " : " AND ";
    where += condition;
  };
  const bool by_person = !q.person_id.empty();
  const std::string seq = by_person ? "p.seq" : "i.seq";
  std::string sql =
      "SELECT l.seq, l.recorded_at, l.kind, l.body, l.prev_hash, l.hash, i.operation, i.outcome, i.reason, i.client, "
      "i.caseworker, i.case_id, i.partner, i.persons FROM ";
  if (by_person) {
    sql += "audit_person p JOIN audit_index i ON i.seq = p.seq JOIN audit_log l ON l.seq = i.seq";
    add("p.person_id = " + param(q.person_id));
  } else {
    sql += "audit_index i JOIN audit_log l ON l.seq = i.seq";
  }
  const auto equal = [&](std::string_view column, const std::string& value) {
    if (!value.empty()) add("i." + std::string(column) + " = " + param(value));
  };
  equal("case_id", q.case_id);
  equal("caseworker", q.caseworker);
  equal("client", q.client);
  equal("partner", q.partner);
  equal("outcome", q.outcome);
  equal("operation", q.operation);
  equal("kind", q.kind);
  if (!q.since.empty()) add("i.recorded_at >= " + param(q.since));
  if (!q.until.empty()) add("i.recorded_at < " + param(q.until));
  if (w.after > 0) add(seq + " > " + param(w.after));
  if (w.before > 0) add(seq + " < " + param(w.before));
  sql += where + " ORDER BY " + seq + (oldest_first ? "" : " DESC") + " LIMIT " + param(limit);

  auto r = c.query(sql, params, "search audit index");
  if (!r) return std::unexpected(r.error());
  std::vector<IndexedAuditRecord> page;
  page.reserve(static_cast<std::size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) {
    IndexedAuditRecord x;
    x.record = read_record(*r, i);
    x.index.operation = r->text(i, 6);
    x.index.outcome = r->text(i, 7);
    x.index.reason = r->text(i, 8);
    x.index.client = r->text(i, 9);
    x.index.caseworker = r->text(i, 10);
    x.index.case_id = r->text(i, 11);
    x.index.partner = r->text(i, 12);
    const auto persons = decode_json(r->text(i, 13));
    if (persons.is_array()) {
      for (const auto& p : persons) {
        if (p.is_string()) x.index.persons.push_back(p.get<std::string>());
      }
    }
    page.push_back(std::move(x));
  }
  return page;
}

}  // namespace knutpunkt::pg
