#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <set>
#include <string_view>
#include <unordered_map>
#include <variant>

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
    Migration{2, R"sql(
      -- The outbox: what knutpunkt has accepted and owes a destination. Rows are never deleted
      -- by delivery; status says where each stands. position gives acceptance order.
      CREATE TABLE outbox (
        position            INTEGER PRIMARY KEY,
        id                  TEXT NOT NULL UNIQUE,
        destination         TEXT NOT NULL,
        type                TEXT NOT NULL,
        ordering_key        TEXT NOT NULL,
        client_id           TEXT NOT NULL,
        case_id             TEXT NOT NULL,
        payload             TEXT NOT NULL,
        status              TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
        attempts            INTEGER NOT NULL DEFAULT 0,
        cycle_attempts      INTEGER NOT NULL DEFAULT 0,
        created_at_ms       INTEGER NOT NULL,
        cycle_started_at_ms INTEGER NOT NULL,
        next_attempt_at_ms  INTEGER NOT NULL,
        delivered_at_ms     INTEGER NOT NULL DEFAULT 0,
        dead_at_ms          INTEGER NOT NULL DEFAULT 0,
        last_error          TEXT NOT NULL DEFAULT ''
      );
      -- The engine loads pending work at start; operators list dead letters per destination.
      CREATE INDEX outbox_undelivered ON outbox (position) WHERE status IN ('pending', 'dead');
      CREATE INDEX outbox_dead ON outbox (destination, position) WHERE status = 'dead';
      CREATE INDEX outbox_ordering ON outbox (ordering_key, position);

      CREATE TABLE delivery_attempt (
        message_id    TEXT NOT NULL,
        number        INTEGER NOT NULL,
        started_at_ms INTEGER NOT NULL,
        endpoint      TEXT NOT NULL,
        http_status   INTEGER NOT NULL,
        latency_ms    INTEGER NOT NULL,
        outcome       TEXT NOT NULL,
        error         TEXT NOT NULL,
        PRIMARY KEY (message_id, number)
      ) WITHOUT ROWID;

      -- The pull feed: seq is the cursor, so the order a client reads is the commit order.
      CREATE TABLE case_event (
        seq            INTEGER PRIMARY KEY,
        event_id       TEXT NOT NULL UNIQUE,
        client_id      TEXT NOT NULL,
        case_id        TEXT NOT NULL,
        correlation_id TEXT NOT NULL,
        type           TEXT NOT NULL,
        envelope       TEXT NOT NULL
      );
      CREATE INDEX case_event_client ON case_event (client_id, seq);

      CREATE TABLE referral (
        referral_id        TEXT PRIMARY KEY,
        client_id          TEXT NOT NULL,
        case_id            TEXT NOT NULL,
        destination        TEXT NOT NULL,
        person_id          TEXT NOT NULL,
        protected_identity INTEGER NOT NULL,
        created_at         TEXT NOT NULL,
        body               TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE idempotency_key (
        client_id     TEXT NOT NULL,
        key           TEXT NOT NULL,
        request_hash  TEXT NOT NULL,
        http_status   INTEGER NOT NULL,
        response_body TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        PRIMARY KEY (client_id, key)
      ) WITHOUT ROWID;

      CREATE TABLE inbound_receipt (
        partner            TEXT NOT NULL,
        partner_message_id TEXT NOT NULL,
        referral_id        TEXT NOT NULL,
        received_at        TEXT NOT NULL,
        PRIMARY KEY (partner, partner_message_id)
      ) WITHOUT ROWID;
    )sql"},
    Migration{3, R"sql(
      -- Consents (12 kap. OSL). Rows are never deleted: a withdrawal sets withdrawn_at, so an
      -- auditor can see what held when.
      CREATE TABLE consent (
        consent_id         TEXT PRIMARY KEY,
        person_id          TEXT NOT NULL,
        id_kind            TEXT NOT NULL,
        partner            TEXT NOT NULL,
        information_types  TEXT NOT NULL,
        given_at           TEXT NOT NULL,
        expires_at         TEXT NOT NULL,
        withdrawn_at       TEXT NOT NULL DEFAULT '',
        document_reference TEXT NOT NULL,
        case_id            TEXT NOT NULL,
        client_id          TEXT NOT NULL,
        recorded_at        TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX consent_person ON consent (person_id, recorded_at);
    )sql"},
    Migration{4, R"sql(
      -- Cases and their households, as the owning case system registered them: the scope of
      -- lookups (an open case, persons in its household).
      CREATE TABLE case_file (
        client_id  TEXT NOT NULL,
        case_id    TEXT NOT NULL,
        status     TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        unit       TEXT NOT NULL,
        household  TEXT NOT NULL,
        opened_at  TEXT NOT NULL,
        closed_at  TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (client_id, case_id)
      ) WITHOUT ROWID;
    )sql"},
    Migration{5, R"sql(
      -- Persons a partner flagged as protected: remembered, never forgotten by an exchange.
      CREATE TABLE protected_person (
        person_id  TEXT PRIMARY KEY,
        flagged_by TEXT NOT NULL,
        flagged_at TEXT NOT NULL
      ) WITHOUT ROWID;
    )sql"},
    Migration{6, R"sql(
      -- Household members by person: which open cases a partner's news about a person belongs to.
      -- Kept by PutCase alongside case_file.household.
      CREATE TABLE case_member (
        person_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        case_id   TEXT NOT NULL,
        PRIMARY KEY (person_id, client_id, case_id)
      ) WITHOUT ROWID;
      INSERT INTO case_member (person_id, client_id, case_id)
        SELECT json_each.value, case_file.client_id, case_file.case_id FROM case_file, json_each(case_file.household);
      -- Exchanges held for an operator (a protected person's referral). Never deleted: resolving
      -- one records who handled it and when.
      CREATE TABLE manual_item (
        item_id     TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        reference   TEXT NOT NULL,
        client_id   TEXT NOT NULL,
        case_id     TEXT NOT NULL,
        destination TEXT NOT NULL,
        reason      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
        resolved_at TEXT NOT NULL DEFAULT '',
        resolved_by TEXT NOT NULL DEFAULT '',
        note        TEXT NOT NULL DEFAULT ''
      ) WITHOUT ROWID;
      CREATE INDEX manual_item_status ON manual_item (status, created_at, item_id);
    )sql"},
    Migration{7, R"sql(
      -- The audit index: what auditors search the log by, one row per audit record,
      -- written in the same transaction as the record (commit) and computed by index_entry
      -- (store/audit_index_entry.h). Records from before this migration are indexed at open.
      -- persons repeats audit_person as a JSON array so a page of results needs no second read.
      CREATE TABLE audit_index (
        seq         INTEGER PRIMARY KEY,
        recorded_at TEXT NOT NULL,
        kind        TEXT NOT NULL,
        operation   TEXT NOT NULL,
        outcome     TEXT NOT NULL,
        reason      TEXT NOT NULL,
        client      TEXT NOT NULL,
        caseworker  TEXT NOT NULL,
        case_id     TEXT NOT NULL,
        partner     TEXT NOT NULL,
        persons     TEXT NOT NULL
      );
      -- Who was looked up, newest first: one row per person a record is about.
      CREATE TABLE audit_person (
        person_id TEXT NOT NULL,
        seq       INTEGER NOT NULL,
        PRIMARY KEY (person_id, seq)
      ) WITHOUT ROWID;
      -- Every index of a rowid table ends in the rowid (here seq), so each of these also gives
      -- its matches in seq order and takes a seq range: "newest first from a cursor" reads only
      -- the rows it returns. Time ranges become seq ranges through audit_log_time (migration 1).
      CREATE INDEX audit_index_case ON audit_index (case_id);
      CREATE INDEX audit_index_caseworker ON audit_index (caseworker);
      CREATE INDEX audit_index_client ON audit_index (client);
      CREATE INDEX audit_index_partner ON audit_index (partner);
      CREATE INDEX audit_index_operation ON audit_index (operation);
      -- Outcome on its own (refusals, failures across operations); with an operation too, the
      -- outcome narrows more often than not (e.g. refused lookups).
      CREATE INDEX audit_index_outcome ON audit_index (outcome);
    )sql"},
    Migration{8, R"sql(
      -- Retention (gallring): checkpoints carry the chain across removed records, and deleting
      -- from audit_log is possible only while a retention run holds the permit, inside its own
      -- transaction (store_write::RemoveAuditThrough). Anyone else still meets the trigger.
      CREATE TABLE audit_checkpoint (
        through_seq     INTEGER PRIMARY KEY,
        through_hash    TEXT NOT NULL,
        removed_records INTEGER NOT NULL,
        removed_before  TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        key_id          TEXT NOT NULL,
        signature       TEXT NOT NULL
      );
      CREATE TABLE audit_retention_permit (one INTEGER PRIMARY KEY CHECK (one = 1));
      DROP TRIGGER audit_log_no_delete;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        WHEN NOT EXISTS (SELECT 1 FROM audit_retention_permit)
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    )sql"},
    Migration{9, R"sql(
      -- Outbox status 'withheld' (a message the gateway decided not to send after all: the
      -- consent it was sent under was withdrawn). SQLite cannot change a CHECK, so the table is
      -- rebuilt (https://sqlite.org/lang_altertable.html#otheralter): same columns in the same
      -- order, position kept, then the indexes of migration 2 exactly as they were (they went
      -- with the old table). The outbox has no triggers and no view or foreign key names it.
      CREATE TABLE outbox_rebuilt (
        position            INTEGER PRIMARY KEY,
        id                  TEXT NOT NULL UNIQUE,
        destination         TEXT NOT NULL,
        type                TEXT NOT NULL,
        ordering_key        TEXT NOT NULL,
        client_id           TEXT NOT NULL,
        case_id             TEXT NOT NULL,
        payload             TEXT NOT NULL,
        status              TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead', 'withheld')),
        attempts            INTEGER NOT NULL DEFAULT 0,
        cycle_attempts      INTEGER NOT NULL DEFAULT 0,
        created_at_ms       INTEGER NOT NULL,
        cycle_started_at_ms INTEGER NOT NULL,
        next_attempt_at_ms  INTEGER NOT NULL,
        delivered_at_ms     INTEGER NOT NULL DEFAULT 0,
        dead_at_ms          INTEGER NOT NULL DEFAULT 0,
        last_error          TEXT NOT NULL DEFAULT ''
      );
      INSERT INTO outbox_rebuilt (position, id, destination, type, ordering_key, client_id, case_id, payload,
                                  status, attempts, cycle_attempts, created_at_ms, cycle_started_at_ms,
                                  next_attempt_at_ms, delivered_at_ms, dead_at_ms, last_error)
        SELECT position, id, destination, type, ordering_key, client_id, case_id, payload, status, attempts,
               cycle_attempts, created_at_ms, cycle_started_at_ms, next_attempt_at_ms, delivered_at_ms,
               dead_at_ms, last_error
        FROM outbox;
      DROP TABLE outbox;
      ALTER TABLE outbox_rebuilt RENAME TO outbox;
      CREATE INDEX outbox_undelivered ON outbox (position) WHERE status IN ('pending', 'dead');
      CREATE INDEX outbox_dead ON outbox (destination, position) WHERE status = 'dead';
      CREATE INDEX outbox_ordering ON outbox (ordering_key, position);

      -- For a SIP consent: the participant organisations the client agreed may share in the plan
      -- (12 kap. OSL), a JSON array like information_types.
      ALTER TABLE consent ADD COLUMN organisations TEXT NOT NULL DEFAULT '[]';

      -- SIP plans (2 kap. 7 § SoL, 16 kap. 4 § HSL): the current version with what plans are
      -- looked up by, and every version ever stored. status is not CHECKed: the plan's states
      -- belong to gateway/sip/, and a new one should not need a table rebuild like the above.
      CREATE TABLE sip_plan (
        plan_id            TEXT PRIMARY KEY,
        client_id          TEXT NOT NULL,
        case_id            TEXT NOT NULL,
        person_id          TEXT NOT NULL,
        consent_id         TEXT NOT NULL,
        status             TEXT NOT NULL,
        version            INTEGER NOT NULL,
        initiated_at       TEXT NOT NULL,
        updated_at         TEXT NOT NULL,
        meeting_at         TEXT NOT NULL DEFAULT '',
        followup_due       TEXT NOT NULL DEFAULT '',
        protected_identity INTEGER NOT NULL,
        plan               TEXT NOT NULL
      );
      -- A consent's withdrawal reaches every plan recorded under it.
      CREATE INDEX sip_plan_consent ON sip_plan (consent_id);
      -- The reminder scan reads open plans oldest first; closed plans pile up and are skipped.
      CREATE INDEX sip_plan_open ON sip_plan (initiated_at, plan_id) WHERE status <> 'closed';
      -- Versions are evidence of what was agreed when: never changed, never replaced.
      CREATE TABLE sip_plan_version (
        plan_id     TEXT NOT NULL,
        version     INTEGER NOT NULL,
        plan        TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (plan_id, version)
      );
      CREATE TRIGGER sip_plan_version_no_update BEFORE UPDATE ON sip_plan_version
        BEGIN SELECT RAISE(ABORT, 'sip_plan_version is append-only'); END;
      CREATE TABLE sip_reminder (
        plan_id   TEXT NOT NULL,
        kind      TEXT NOT NULL,
        key       TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        PRIMARY KEY (plan_id, kind, key)
      ) WITHOUT ROWID;
    )sql"},
    Migration{10, R"sql(
      -- Cases and consents belong to the organisation (config "organisations") of the client that
      -- registered them: a lookup counts only its own organisation's, and no other organisation
      -- reads, changes or relies on them (26 kap. 1 § OSL holds between authorities). A consent
      -- also names the organisation holding the signed document (held_by).
      -- Rows from before this migration were registered by a client whose organisation the
      -- database cannot know (it is configuration), so they get the empty organisation, which no
      -- organisation has: they scope no lookup and no one reads them until their case system
      -- registers the case again (the same client's PUT adopts its old row) and records the
      -- consent again. Nothing is guessed.
      ALTER TABLE case_file ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
      -- One case per case id in an organisation, whichever of its clients registered it.
      CREATE UNIQUE INDEX case_file_organisation ON case_file (organisation, case_id) WHERE organisation <> '';
      ALTER TABLE consent ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
      ALTER TABLE consent ADD COLUMN held_by TEXT NOT NULL DEFAULT '';
    )sql"},
    Migration{11, R"sql(
      -- Several gateway instances share one outbox: one instance at a time delivers a key's
      -- messages (order holds per destination and ordering key), the one holding the key's lease
      -- until expires_at_ms. token changes with every change of holder; an attempt is recorded
      -- only under the token it was started with, so an instance paused past its lease cannot
      -- settle what another instance has taken over. A released lease keeps its row (and token)
      -- with expires_at_ms 0.
      CREATE TABLE delivery_lease (
        destination   TEXT NOT NULL,
        ordering_key  TEXT NOT NULL,
        holder        TEXT NOT NULL,
        token         INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        PRIMARY KEY (destination, ordering_key)
      );
      -- The first undelivered message of each key, looked up by instances taking keys over.
      CREATE INDEX outbox_undelivered_key ON outbox (destination, ordering_key, position)
        WHERE status IN ('pending', 'dead');
    )sql"},
    Migration{12, R"sql(
      -- Console sessions and sign-in failure budgets, in the database rather than in one
      -- process's memory, so that every instance on it knows a session, ends it at sign-out and
      -- counts a guess alike (store/session_store.h). Times are milliseconds since the epoch.
      -- A session is keyed by its token's SHA-256: the database never holds a usable token.
      -- IF NOT EXISTS: a database whose recorded version was set back (a restore of the version
      -- table alone) keeps what it has, its sign-in key above all.
      CREATE TABLE IF NOT EXISTS console_session (
        token_hash   TEXT PRIMARY KEY,
        user_id      TEXT NOT NULL,
        roles        TEXT NOT NULL,
        expires_at   INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS console_session_expires_at ON console_session (expires_at);
      CREATE INDEX IF NOT EXISTS console_session_last_used_at ON console_session (last_used_at);
      -- A user name is kept only as an HMAC under this database's own key: what is typed at
      -- sign-in may be a personnummer.
      CREATE TABLE IF NOT EXISTS sign_in_budget (
        scope          TEXT NOT NULL,
        key            TEXT NOT NULL,
        window_start   INTEGER NOT NULL,
        attempts       INTEGER NOT NULL,
        remote_address TEXT NOT NULL,
        locked_until   INTEGER,
        PRIMARY KEY (scope, key)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS sign_in_budget_window_start ON sign_in_budget (window_start);
      CREATE TABLE IF NOT EXISTS sign_in_key (one INTEGER PRIMARY KEY CHECK (one = 1), key TEXT NOT NULL);
      INSERT OR IGNORE INTO sign_in_key (one, key) VALUES (1, lower(hex(randomblob(32))));
    )sql"},
    Migration{13, R"sql(
      -- A referral changes and may be withdrawn after it was accepted. The row holds it as it is
      -- now; referral_change keeps every version after the first, so an auditor sees what
      -- Jobbtorg was told and when. A plain INSERT there is what stops two changes made from the
      -- same version from both landing. IF NOT EXISTS: a database whose recorded version was set
      -- back keeps the history it has.
      ALTER TABLE referral ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
      ALTER TABLE referral ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE referral ADD COLUMN consent_id TEXT NOT NULL DEFAULT '';
      ALTER TABLE referral ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
      CREATE INDEX IF NOT EXISTS referral_consent ON referral (consent_id) WHERE consent_id <> '';
      CREATE INDEX IF NOT EXISTS referral_case ON referral (client_id, case_id);
      CREATE TABLE IF NOT EXISTS referral_change (
        referral_id TEXT NOT NULL,
        version     INTEGER NOT NULL,
        status      TEXT NOT NULL,
        body        TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (referral_id, version)
      ) WITHOUT ROWID;
      CREATE TRIGGER IF NOT EXISTS referral_change_no_update BEFORE UPDATE ON referral_change
        BEGIN SELECT RAISE(ABORT, 'referral_change is append-only'); END;
      -- Why a case was closed (the case system's code), kept with the case.
      ALTER TABLE case_file ADD COLUMN closure_reason TEXT NOT NULL DEFAULT '';
    )sql"},
    Migration{14, R"sql(
      -- Attendance Jobbtorg reported on referrals. A day is kept as last reported, so the same
      -- day sent again in a later report is recognised and a changed one becomes a correction
      -- (version one more) rather than a second day. A month counts its days' changes; a summary
      -- covers the changes it saw, so a change after it makes the next revision due. Summaries
      -- are evidence of what a decision on försörjningsstöd could rest on: never changed.
      -- IF NOT EXISTS: a database whose recorded version was set back keeps what it has.
      CREATE TABLE IF NOT EXISTS attendance_day (
        referral_id        TEXT NOT NULL,
        date               TEXT NOT NULL,
        month              TEXT NOT NULL,
        version            INTEGER NOT NULL,
        partner_version    INTEGER NOT NULL,
        day                TEXT NOT NULL,
        partner_message_id TEXT NOT NULL,
        recorded_at        TEXT NOT NULL,
        PRIMARY KEY (referral_id, date)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS attendance_day_month ON attendance_day (referral_id, month, date);
      CREATE TABLE IF NOT EXISTS attendance_month (
        referral_id        TEXT NOT NULL,
        month              TEXT NOT NULL,
        changes            INTEGER NOT NULL,
        summarised_changes INTEGER NOT NULL DEFAULT 0,
        summary_revision   INTEGER NOT NULL DEFAULT 0,
        absence_flagged_at TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (referral_id, month)
      ) WITHOUT ROWID;
      -- The summary scan reads only months with changes no summary covers.
      CREATE INDEX IF NOT EXISTS attendance_month_unsummarised ON attendance_month (referral_id, month)
        WHERE changes > summarised_changes;
      CREATE TABLE IF NOT EXISTS attendance_summary (
        referral_id TEXT NOT NULL,
        month       TEXT NOT NULL,
        revision    INTEGER NOT NULL,
        summary     TEXT NOT NULL,
        raised_at   TEXT NOT NULL,
        PRIMARY KEY (referral_id, month, revision)
      ) WITHOUT ROWID;
      CREATE TRIGGER IF NOT EXISTS attendance_summary_no_update BEFORE UPDATE ON attendance_summary
        BEGIN SELECT RAISE(ABORT, 'attendance_summary is append-only'); END;
    )sql"},
    Migration{15, R"sql(
      -- Time limits on referrals (/routes/*/time_limits) are judged on which reports Jobbtorg
      -- sent about each referral, in the order they arrived; inbound_receipt keeps no report
      -- type, so each report is kept here too, in the transaction that stores its receipt.
      -- IF NOT EXISTS and OR IGNORE: a database whose recorded version was set back keeps what it
      -- has.
      CREATE TABLE IF NOT EXISTS referral_report (
        position           INTEGER PRIMARY KEY,
        referral_id        TEXT NOT NULL,
        partner            TEXT NOT NULL,
        partner_message_id TEXT NOT NULL,
        report_type        TEXT NOT NULL,
        planned_followup   TEXT NOT NULL DEFAULT '',
        received_at        TEXT NOT NULL,
        UNIQUE (partner, partner_message_id)
      );
      CREATE INDEX IF NOT EXISTS referral_report_referral ON referral_report (referral_id, position);
      -- Each limit is raised once per referral (kind: the case event's type; key: 'referral', or
      -- the plan follow-up date that passed).
      CREATE TABLE IF NOT EXISTS referral_reminder (
        referral_id TEXT NOT NULL,
        kind        TEXT NOT NULL,
        key         TEXT NOT NULL,
        raised_at   TEXT NOT NULL,
        PRIMARY KEY (referral_id, kind, key)
      ) WITHOUT ROWID;
      -- Which reports a referral accepted before this migration received is not known, so its
      -- limits cannot be judged: they are recorded as settled without being raised (raised_at
      -- ''), rather than told overdue on reports that may have come long ago. Follow-up dates
      -- were never kept before, so none of them can be due.
      INSERT OR IGNORE INTO referral_reminder (referral_id, kind, key, raised_at)
        SELECT referral_id, 'referral.not_enrolled', 'referral', '' FROM referral;
      INSERT OR IGNORE INTO referral_reminder (referral_id, kind, key, raised_at)
        SELECT referral_id, 'referral.first_visit_overdue', 'referral', '' FROM referral;
    )sql"},
    Migration{16, R"sql(
      -- The periodic scans of active referrals (attendance summaries of months with nothing
      -- reported, time limits) page over them alone, by id, never over every referral ever made.
      CREATE INDEX IF NOT EXISTS referral_status ON referral (status, referral_id);
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

// One SQLite connection with its statement cache. NOMUTEX: every use is serialised by `mutex`.
struct Connection {
  std::mutex mutex;
  Database db;
  std::unordered_map<std::string, Statement> statements;

  // A cached prepared statement, reset and unbound when the returned guard ends.
  std::expected<sqlite3_stmt*, StoreError> statement(std::string_view sql) {
    auto it = statements.find(std::string(sql));
    if (it == statements.end()) {
      auto made = prepare(db.get(), sql);
      if (!made) return std::unexpected(made.error());
      it = statements.emplace(std::string(sql), std::move(*made)).first;
    }
    return it->second.get();
  }
};

// Resets a statement when a use of it ends, whatever the path out.
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* s) : s_(s) {}
  ~StatementUse() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  sqlite3_stmt* get() const { return s_; }

  StatementUse& bind(int index, std::string_view text) {
    sqlite3_bind_text(s_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  StatementUse& bind(int index, std::int64_t value) {
    sqlite3_bind_int64(s_, index, value);
    return *this;
  }
  StatementUse& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  StatementUse& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }

 private:
  sqlite3_stmt* s_;
};

std::expected<std::string, StoreError> encode_json(const nlohmann::json& value) {
  if (value.is_discarded()) return std::unexpected(StoreError{"invalid_body", "value is not a JSON value"});
  try {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    return std::unexpected(StoreError{"invalid_body", "value is not valid UTF-8"});
  }
}

nlohmann::json decode_json(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// Takes a key's lease when it is free, expired, or already the holder's (?1 destination, ?2
// ordering key, ?3 holder, ?4 now, ?5 until). The token stays only while the holder's own lease
// is live; any other takeover gives a new one, which fences off whatever the previous holder
// still has in flight.
constexpr std::string_view kClaimLeaseSql =
    "INSERT INTO delivery_lease (destination, ordering_key, holder, token, expires_at_ms) "
    "VALUES (?1, ?2, ?3, 1, ?5) "
    "ON CONFLICT (destination, ordering_key) DO UPDATE SET "
    "token = CASE WHEN delivery_lease.holder = excluded.holder AND delivery_lease.expires_at_ms > ?4 "
    "THEN delivery_lease.token ELSE delivery_lease.token + 1 END, "
    "holder = excluded.holder, "
    "expires_at_ms = CASE WHEN delivery_lease.expires_at_ms > excluded.expires_at_ms "
    "THEN delivery_lease.expires_at_ms ELSE excluded.expires_at_ms END "
    "WHERE delivery_lease.holder = excluded.holder OR delivery_lease.expires_at_ms <= ?4";

void bind_claim(StatementUse& u, const LaneKey& key, const std::string& holder, std::int64_t now_ms,
                std::int64_t until_ms) {
  u.bind(1, key.destination).bind(2, key.ordering_key).bind(3, holder).bind(4, now_ms).bind(5, until_ms);
}

constexpr std::string_view kMessageColumns =
    "position, id, destination, type, ordering_key, client_id, case_id, status, attempts, cycle_attempts, "
    "created_at_ms, cycle_started_at_ms, next_attempt_at_ms, delivered_at_ms, dead_at_ms, last_error";

OutboxMessage read_message(sqlite3_stmt* s) {
  OutboxMessage m;
  m.position = sqlite3_column_int64(s, 0);
  m.id = column_text(s, 1);
  m.destination = column_text(s, 2);
  m.type = column_text(s, 3);
  m.ordering_key = column_text(s, 4);
  m.client_id = column_text(s, 5);
  m.case_id = column_text(s, 6);
  m.status = parse_message_status(column_text(s, 7)).value_or(MessageStatus::pending);
  m.attempts = sqlite3_column_int(s, 8);
  m.cycle_attempts = sqlite3_column_int(s, 9);
  m.created_at_ms = sqlite3_column_int64(s, 10);
  m.cycle_started_at_ms = sqlite3_column_int64(s, 11);
  m.next_attempt_at_ms = sqlite3_column_int64(s, 12);
  m.delivered_at_ms = sqlite3_column_int64(s, 13);
  m.dead_at_ms = sqlite3_column_int64(s, 14);
  m.last_error = column_text(s, 15);
  return m;
}

constexpr std::string_view kConsentColumns =
    "consent_id, person_id, id_kind, partner, information_types, given_at, expires_at, withdrawn_at, "
    "document_reference, case_id, client_id, recorded_at, organisations, organisation, held_by";

// A JSON array of strings as stored; anything else in it (an edited database) is skipped.
std::set<std::string> decode_string_set(const std::string& text) {
  std::set<std::string> out;
  const auto values = decode_json(text);
  if (values.is_array()) {
    for (const auto& v : values) {
      if (v.is_string()) out.insert(v.get<std::string>());
    }
  }
  return out;
}

ConsentRecord read_consent(sqlite3_stmt* s) {
  ConsentRecord c;
  c.consent_id = column_text(s, 0);
  c.person_id = column_text(s, 1);
  c.id_kind = column_text(s, 2);
  c.partner = column_text(s, 3);
  c.information_types = decode_string_set(column_text(s, 4));
  c.given_at = column_text(s, 5);
  c.expires_at = column_text(s, 6);
  c.withdrawn_at = column_text(s, 7);
  c.document_reference = column_text(s, 8);
  c.case_id = column_text(s, 9);
  c.client_id = column_text(s, 10);
  c.recorded_at = column_text(s, 11);
  c.organisations = decode_string_set(column_text(s, 12));
  c.organisation = column_text(s, 13);
  c.held_by = column_text(s, 14);
  return c;
}

constexpr std::string_view kSipPlanColumns =
    "plan_id, client_id, case_id, person_id, consent_id, status, version, initiated_at, updated_at, meeting_at, "
    "followup_due, protected_identity, plan";

SipPlanRecord read_sip_plan(sqlite3_stmt* s) {
  SipPlanRecord r;
  r.plan_id = column_text(s, 0);
  r.client_id = column_text(s, 1);
  r.case_id = column_text(s, 2);
  r.person_id = column_text(s, 3);
  r.consent_id = column_text(s, 4);
  r.status = column_text(s, 5);
  r.version = sqlite3_column_int(s, 6);
  r.initiated_at = column_text(s, 7);
  r.updated_at = column_text(s, 8);
  r.meeting_at = column_text(s, 9);
  r.followup_due = column_text(s, 10);
  r.protected_identity = sqlite3_column_int(s, 11) != 0;
  r.plan = decode_json(column_text(s, 12));
  return r;
}

// Records indexed per transaction when a database from before migration 7 is opened: small
// enough that each transaction is short, large enough that a multi-million-record log is
// indexed in minutes.
constexpr int kIndexBackfillRows = 2000;

constexpr int kMaxSearchLimit = 10000;

constexpr std::string_view kIndexedColumns =
    "l.seq, l.recorded_at, l.kind, l.body, l.prev_hash, l.hash, i.operation, i.outcome, i.reason, i.client, "
    "i.caseworker, i.case_id, i.partner, i.persons";

IndexedAuditRecord read_indexed(sqlite3_stmt* s) {
  IndexedAuditRecord r;
  r.record = read_record(s);
  r.index.operation = column_text(s, 6);
  r.index.outcome = column_text(s, 7);
  r.index.reason = column_text(s, 8);
  r.index.client = column_text(s, 9);
  r.index.caseworker = column_text(s, 10);
  r.index.case_id = column_text(s, 11);
  r.index.partner = column_text(s, 12);
  const auto persons = decode_json(column_text(s, 13));
  if (persons.is_array()) {
    for (const auto& p : persons) {
      if (p.is_string()) r.index.persons.push_back(p.get<std::string>());
    }
  }
  return r;
}

using SqlValue = std::variant<std::string, std::int64_t>;

// One page of an audit index query: SQL text that depends only on which filters are set (so the
// statement cache stays small) and the values to bind to it, in order.
struct AuditIndexSql {
  std::string sql;
  std::vector<SqlValue> values;
};

// Person, case and caseworker pick out few records in any period; client, partner, operation
// and outcome can match most of the log.
bool narrow(const AuditQuery& q) {
  return !q.person_id.empty() || !q.case_id.empty() || !q.caseworker.empty();
}

// Records with after < seq < before (0 = unbounded) matching `q`, in seq order. Exactly one
// index drives the query, chosen here rather than by the planner (which has no statistics and
// would take any two-column match over a one-column one): the person, else the first set of
// case, caseworker, client, partner, outcome, operation; the other filters are checked on the
// rows it yields (a unary + keeps a column from being used as an index).
AuditIndexSql audit_index_sql(const AuditQuery& q, bool oldest_first, std::int64_t after, std::int64_t before,
                              int limit) {
  AuditIndexSql out;
  std::string where;
  const auto param = [&](SqlValue v) {
    out.values.push_back(std::move(v));
    return "?" + std::to_string(out.values.size());
  };
  const auto add = [&](const std::string& condition) {
    where += where.empty() ? " WHERE " : " AND ";
    where += condition;
  };
  const bool by_person = !q.person_id.empty();
  const std::string seq = by_person ? "p.seq" : "i.seq";
  out.sql = "SELECT " + std::string(kIndexedColumns) + " FROM ";
  if (by_person) {
    // CROSS JOIN fixes the loop order: the person's rows first, then their index and log rows.
    out.sql += "audit_person p CROSS JOIN audit_index i CROSS JOIN audit_log l";
    add("p.person_id = " + param(q.person_id));
    add("i.seq = p.seq");
  } else {
    out.sql += "audit_index i CROSS JOIN audit_log l";
  }
  add("l.seq = i.seq");
  bool driven = by_person;
  const auto equal = [&](std::string_view column, const std::string& value) {
    if (value.empty()) return;
    add((driven ? "+i." : "i.") + std::string(column) + " = " + param(value));
    driven = true;
  };
  equal("case_id", q.case_id);
  equal("caseworker", q.caseworker);
  equal("client", q.client);
  equal("partner", q.partner);
  equal("outcome", q.outcome);
  equal("operation", q.operation);
  if (!q.kind.empty()) add("+i.kind = " + param(q.kind));
  if (!q.since.empty()) add("+i.recorded_at >= " + param(q.since));
  if (!q.until.empty()) add("+i.recorded_at < " + param(q.until));
  if (after > 0) add(seq + " > " + param(after));
  if (before > 0) add(seq + " < " + param(before));
  out.sql += where + " ORDER BY " + seq + (oldest_first ? "" : " DESC") + " LIMIT " + param(std::int64_t{limit});
  return out;
}

// The seq window a query reads: its cursor, narrowed by its time bounds when needed.
struct SeqWindow {
  std::int64_t after = 0;   // exclusive; 0 = from the first
  std::int64_t before = 0;  // exclusive; 0 = to the last
  bool empty = false;
};

class SqliteStore final : public Store {
 public:
  static std::expected<std::unique_ptr<Store>, StoreError> open(const std::filesystem::path& path) {
    auto writer = open_connection(path);
    if (!writer) return std::unexpected(writer.error());
    if (auto ok = migrate(writer->get()); !ok) return std::unexpected(ok.error());
    // A second connection for reads: in WAL mode it reads the last committed state without
    // waiting for the writer's fsync, so feeds and operator queries do not stall on commits.
    auto reader = open_connection(path);
    if (!reader) return std::unexpected(reader.error());
    std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*writer), std::move(*reader)));
    if (auto ok = store->index_unindexed_records(); !ok) return std::unexpected(ok.error());
    return std::unique_ptr<Store>(std::move(store));
  }

  std::expected<void, StoreError> commit(const std::vector<AuditRecord>& records,
                                         const std::vector<StoreWrite>& writes) override {
    if (records.empty() && writes.empty()) return {};
    // Encode before taking the lock or opening a transaction: a body that cannot be encoded
    // must fail the batch without touching the database.
    auto bodies = encode_bodies(records);
    if (!bodies) return std::unexpected(bodies.error());
    const auto entries = index_entries(records);
    std::lock_guard lock(writer_.mutex);
    return in_write_transaction([&]() { return store_batch(records, *bodies, entries, writes); });
  }

  std::expected<void, StoreError> commit_sealed(std::vector<CommitEntry>& batch, const AuditSeal& seal) override {
    if (batch.empty()) return {};
    std::vector<AuditIndexEntry> entries;
    entries.reserve(batch.size());
    for (CommitEntry& e : batch) {
      if (e.canonical_body.empty()) {
        auto body = encode_json(e.record.body);
        if (!body) return std::unexpected(body.error());
        e.canonical_body = std::move(*body);
      }
      entries.push_back(index_entry(e.record.kind, e.record.body));
    }
    std::lock_guard lock(writer_.mutex);
    // BEGIN IMMEDIATE takes SQLite's write lock before the tip is read: no other connection, of
    // this process or another, writes between the reads below and the commit.
    return in_write_transaction([&]() -> std::expected<void, StoreError> {
      std::optional<AuditChainTip> tip;
      auto read = query(
          writer_, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", "read chain tip", [](StatementUse&) {},
          [&](sqlite3_stmt* s) {
            tip = AuditChainTip{sqlite3_column_int64(s, 0), column_text(s, 1)};
            return false;
          });
      if (!read) return read;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        CommitEntry& e = batch[i];
        e.refused.reset();
        auto lost = lease_lost(e.writes);
        if (!lost) return std::unexpected(lost.error());
        if (*lost) {
          e.refused = StoreError{"lease_lost", "another instance holds the delivery lease of the key"};
          continue;
        }
        auto conflict = first_conflict(e.writes);
        if (!conflict) return std::unexpected(conflict.error());
        if (*conflict) {
          e.refused = StoreError{"conflict", std::string(*conflict) + " is stored already"};
          continue;
        }
        seal(e.record, tip);
        if (auto ok = insert_record(e.record, e.canonical_body, entries[i]); !ok) return ok;
        for (const StoreWrite& w : e.writes) {
          auto ok = std::visit([&](const auto& write) { return apply(write); }, w);
          if (!ok) return ok;
        }
        tip = AuditChainTip{e.record.seq, e.record.hash};
      }
      return {};
    });
  }

  std::expected<std::optional<AuditCheckpoint>, StoreError> latest_audit_checkpoint() override {
    std::lock_guard lock(reader_.mutex);
    std::optional<AuditCheckpoint> found;
    auto ok = query(
        reader_,
        "SELECT through_seq, through_hash, removed_records, removed_before, created_at, key_id, signature "
        "FROM audit_checkpoint ORDER BY through_seq DESC LIMIT 1",
        "read audit checkpoint", [](StatementUse&) {},
        [&](sqlite3_stmt* s) {
          found = AuditCheckpoint{sqlite3_column_int64(s, 0), column_text(s, 1), sqlite3_column_int64(s, 2),
                                  column_text(s, 3),          column_text(s, 4), column_text(s, 5),
                                  column_text(s, 6)};
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<std::optional<AuditRecord>, StoreError> last_audit_record() override {
    std::lock_guard lock(writer_.mutex);
    std::optional<AuditRecord> last;
    auto ok = query(
        writer_, "SELECT " + std::string(kAuditColumns) + " FROM audit_log ORDER BY seq DESC LIMIT 1",
        "read last audit record", [](StatementUse&) {},
        [&](sqlite3_stmt* s) {
          last = read_record(s);
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return last;
  }

  std::expected<void, StoreError> scan_audit(std::int64_t from_seq,
                                             const std::function<bool(const AuditRecord&)>& visit) override {
    std::vector<AuditRecord> page;
    for (;;) {
      page.clear();
      {
        std::lock_guard lock(reader_.mutex);
        auto ok = query(
            reader_, "SELECT " + std::string(kAuditColumns) + " FROM audit_log WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
            "scan audit log", [&](StatementUse& u) { u.bind(1, from_seq).bind(2, kScanPageRows); },
            [&](sqlite3_stmt* s) {
              page.push_back(read_record(s));
              return true;
            });
        if (!ok) return ok;
      }
      for (const AuditRecord& r : page) {
        if (!visit(r)) return {};
      }
      if (page.size() < static_cast<std::size_t>(kScanPageRows)) return {};
      from_seq = page.back().seq + 1;
    }
  }

  std::expected<void, StoreError> read_stored_audit_page(std::int64_t from_seq, std::size_t max_rows,
                                                         StoredAuditPage& page) override {
    page.clear();
    const auto text = [](sqlite3_stmt* s, int column) {
      const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
      return bytes ? std::string_view(bytes, static_cast<std::size_t>(sqlite3_column_bytes(s, column)))
                   : std::string_view();
    };
    std::lock_guard lock(reader_.mutex);
    return query(
        reader_, "SELECT " + std::string(kAuditColumns) + " FROM audit_log WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
        "read stored audit page",
        [&](StatementUse& u) { u.bind(1, from_seq).bind(2, static_cast<std::int64_t>(max_rows)); },
        [&](sqlite3_stmt* s) {
          page.add(sqlite3_column_int64(s, 0), text(s, 1), text(s, 2), text(s, 3), text(s, 4), text(s, 5));
          return true;
        });
  }

  std::expected<std::vector<IndexedAuditRecord>, StoreError> search_audit(const AuditQuery& q) override {
    std::vector<IndexedAuditRecord> found;
    std::lock_guard lock(reader_.mutex);
    auto window = seq_window(q);
    if (!window) return std::unexpected(window.error());
    if (window->empty) return found;
    auto ok = read_indexed_page(q, /*oldest_first=*/false, *window, std::clamp(q.limit, 1, kMaxSearchLimit), found);
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<void, StoreError> scan_audit_index(
      const AuditQuery& q, bool oldest_first, const std::function<bool(const IndexedAuditRecord&)>& visit) override {
    SeqWindow window;
    {
      std::lock_guard lock(reader_.mutex);
      auto w = seq_window(q);
      if (!w) return std::unexpected(w.error());
      window = *w;
    }
    if (window.empty) return {};
    std::vector<IndexedAuditRecord> page;
    for (;;) {
      page.clear();
      {
        std::lock_guard lock(reader_.mutex);
        if (auto ok = read_indexed_page(q, oldest_first, window, kScanPageRows, page); !ok) return ok;
      }
      for (const IndexedAuditRecord& r : page) {
        if (!visit(r)) return {};
      }
      if (page.size() < static_cast<std::size_t>(kScanPageRows)) return {};
      if (oldest_first)
        window.after = page.back().record.seq;
      else
        window.before = page.back().record.seq;
    }
  }

  std::expected<std::optional<std::pair<std::int64_t, std::int64_t>>, StoreError> audit_seq_range(
      const std::string& since, const std::string& until) override {
    std::lock_guard lock(reader_.mutex);
    return seq_range(since, until);
  }

  std::expected<void, StoreError> ping() override {
    std::lock_guard lock(reader_.mutex);
    return query(
        reader_, "SELECT 1", "ping", [](StatementUse&) {}, [](sqlite3_stmt*) { return false; });
  }

  std::expected<void, StoreError> scan_undelivered_messages(
      const std::function<bool(const OutboxMessage&)>& visit) override {
    std::int64_t after = 0;
    std::vector<OutboxMessage> page;
    for (;;) {
      page.clear();
      {
        std::lock_guard lock(reader_.mutex);
        auto ok = query(
            reader_,
            "SELECT " + std::string(kMessageColumns) +
                " FROM outbox WHERE status IN ('pending', 'dead') AND position > ?1 "
                "ORDER BY position LIMIT ?2",
            "scan undelivered messages", [&](StatementUse& u) { u.bind(1, after).bind(2, kScanPageRows); },
            [&](sqlite3_stmt* s) {
              page.push_back(read_message(s));
              return true;
            });
        if (!ok) return ok;
      }
      for (const OutboxMessage& m : page) {
        if (!visit(m)) return {};
      }
      if (page.size() < static_cast<std::size_t>(kScanPageRows)) return {};
      after = page.back().position;
    }
  }

  std::expected<std::optional<OutboxMessage>, StoreError> message(const std::string& id) override {
    std::lock_guard lock(reader_.mutex);
    std::optional<OutboxMessage> found;
    auto ok = query(
        reader_, "SELECT " + std::string(kMessageColumns) + ", payload FROM outbox WHERE id = ?1", "read message",
        [&](StatementUse& u) { u.bind(1, id); },
        [&](sqlite3_stmt* s) {
          found = read_message(s);
          found->payload = decode_json(column_text(s, 16));
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<std::vector<DeliveryAttempt>, StoreError> attempts(const std::string& message_id) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<DeliveryAttempt> list;
    auto ok = query(
        reader_,
        "SELECT number, started_at_ms, endpoint, http_status, latency_ms, outcome, error "
        "FROM delivery_attempt WHERE message_id = ?1 ORDER BY number",
        "read attempts", [&](StatementUse& u) { u.bind(1, message_id); },
        [&](sqlite3_stmt* s) {
          list.push_back(DeliveryAttempt{message_id, sqlite3_column_int(s, 0), sqlite3_column_int64(s, 1),
                                         column_text(s, 2), sqlite3_column_int(s, 3), sqlite3_column_int64(s, 4),
                                         column_text(s, 5), column_text(s, 6)});
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return list;
  }

  std::expected<std::vector<OutboxMessage>, StoreError> dead_letters(const DeadLetterQuery& q) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<OutboxMessage> list;
    auto ok = query(
        reader_,
        "SELECT " + std::string(kMessageColumns) +
            " FROM outbox WHERE status = 'dead' AND position > ?1 AND (?2 = '' OR destination = ?2) "
            "AND (?4 = '' OR type = ?4) AND (?5 = '' OR client_id = ?5) AND dead_at_ms >= ?6 "
            "AND (?7 = 0 OR dead_at_ms < ?7) ORDER BY position LIMIT ?3",
        "list dead letters",
        [&](StatementUse& u) {
          u.bind(1, q.after_position).bind(2, q.destination).bind(3, q.limit).bind(4, q.type);
          u.bind(5, q.client_id).bind(6, q.dead_since_ms).bind(7, q.dead_until_ms);
        },
        [&](sqlite3_stmt* s) {
          list.push_back(read_message(s));
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return list;
  }

  std::expected<std::vector<OutboxMessage>, StoreError> messages_by_ordering_key(const std::string& key) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<OutboxMessage> list;
    auto ok = query(
        reader_, "SELECT " + std::string(kMessageColumns) + " FROM outbox WHERE ordering_key = ?1 ORDER BY position",
        "list messages of an ordering key", [&](StatementUse& u) { u.bind(1, key); },
        [&](sqlite3_stmt* s) {
          list.push_back(read_message(s));
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return list;
  }

  std::expected<std::optional<DeliveryLease>, StoreError> lease(const LaneKey& key) override {
    std::lock_guard lock(reader_.mutex);
    std::optional<DeliveryLease> found;
    auto ok = query(
        reader_, "SELECT holder, token, expires_at_ms FROM delivery_lease WHERE destination = ?1 AND ordering_key = ?2",
        "read delivery lease", [&](StatementUse& u) { u.bind(1, key.destination).bind(2, key.ordering_key); },
        [&](sqlite3_stmt* s) {
          found = DeliveryLease{column_text(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2)};
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<std::optional<std::int64_t>, StoreError> claim_lease(const LaneKey& key, const std::string& holder,
                                                                     std::int64_t now_ms,
                                                                     std::int64_t until_ms) override {
    std::optional<std::int64_t> token;
    std::lock_guard lock(writer_.mutex);
    auto ok = in_write_transaction([&]() -> std::expected<void, StoreError> {
      return query(
          writer_, std::string(kClaimLeaseSql) + " RETURNING token", "claim delivery lease",
          [&](StatementUse& u) { bind_claim(u, key, holder, now_ms, until_ms); },
          [&](sqlite3_stmt* s) {
            token = sqlite3_column_int64(s, 0);
            return true;
          });
    });
    if (!ok) return std::unexpected(ok.error());
    return token;
  }

  std::expected<std::vector<LaneKey>, StoreError> renew_leases(const std::string& holder,
                                                               const std::vector<HeldLease>& leases,
                                                               std::int64_t until_ms) override {
    std::vector<LaneKey> lost;
    if (leases.empty()) return lost;
    std::lock_guard lock(writer_.mutex);
    auto ok = in_write_transaction([&]() -> std::expected<void, StoreError> {
      for (const HeldLease& l : leases) {
        auto held = extend_lease(l.key, holder, l.token, until_ms);
        if (!held) return std::unexpected(held.error());
        if (!*held) lost.push_back(l.key);
      }
      return {};
    });
    if (!ok) return std::unexpected(ok.error());
    return lost;
  }

  std::expected<void, StoreError> release_leases(const std::string& holder,
                                                 const std::vector<HeldLease>& leases) override {
    if (leases.empty()) return {};
    std::lock_guard lock(writer_.mutex);
    return in_write_transaction([&]() -> std::expected<void, StoreError> {
      for (const HeldLease& l : leases) {
        auto ok = run(writer_,
                      "UPDATE delivery_lease SET expires_at_ms = 0 "
                      "WHERE destination = ?1 AND ordering_key = ?2 AND holder = ?3 AND token = ?4",
                      "release delivery lease", [&](StatementUse& u) {
                        u.bind(1, l.key.destination).bind(2, l.key.ordering_key).bind(3, holder).bind(4, l.token);
                      });
        if (!ok) return ok;
      }
      return {};
    });
  }

  std::expected<std::vector<OutboxMessage>, StoreError> claimable_messages(const std::string& holder,
                                                                           std::int64_t now_ms, std::int64_t due_by_ms,
                                                                           std::int64_t after_position,
                                                                           int limit) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<OutboxMessage> list;
    auto ok = query(
        reader_,
        "SELECT " + std::string(kMessageColumns) +
            " FROM outbox o WHERE o.status IN ('pending', 'dead') AND o.position > ?4 "
            "AND (o.status = 'dead' OR o.next_attempt_at_ms <= ?5) "
            "AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.destination = o.destination "
            "AND e.ordering_key = o.ordering_key AND e.status IN ('pending', 'dead') AND e.position < o.position) "
            "AND NOT EXISTS (SELECT 1 FROM delivery_lease l WHERE l.destination = o.destination "
            "AND l.ordering_key = o.ordering_key AND l.holder <> ?1 AND l.expires_at_ms > ?2) "
            "ORDER BY o.position LIMIT ?3",
        "list claimable messages",
        [&](StatementUse& u) {
          u.bind(1, holder).bind(2, now_ms).bind(3, limit).bind(4, after_position).bind(5, due_by_ms);
        },
        [&](sqlite3_stmt* s) {
          list.push_back(read_message(s));
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return list;
  }

  std::expected<std::vector<OutboxMessage>, StoreError> undelivered_messages(const LaneKey& key) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<OutboxMessage> list;
    auto ok = query(
        reader_,
        "SELECT " + std::string(kMessageColumns) +
            " FROM outbox WHERE destination = ?1 AND ordering_key = ?2 AND status IN ('pending', 'dead') "
            "ORDER BY position",
        "list undelivered messages of a key",
        [&](StatementUse& u) { u.bind(1, key.destination).bind(2, key.ordering_key); },
        [&](sqlite3_stmt* s) {
          list.push_back(read_message(s));
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return list;
  }

  std::expected<std::vector<StoredEvent>, StoreError> events_after(const std::string& client_id, std::int64_t after_seq,
                                                                   int limit) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<StoredEvent> list;
    auto ok = query(
        reader_,
        "SELECT seq, event_id, envelope FROM case_event WHERE client_id = ?1 AND seq > ?2 "
        "ORDER BY seq LIMIT ?3",
        "read case events", [&](StatementUse& u) { u.bind(1, client_id).bind(2, after_seq).bind(3, limit); },
        [&](sqlite3_stmt* s) {
          list.push_back(
              StoredEvent{sqlite3_column_int64(s, 0), column_text(s, 1), client_id, decode_json(column_text(s, 2))});
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return list;
  }

  std::expected<std::optional<ReferralRecord>, StoreError> referral(const std::string& referral_id) override {
    auto found = read_referrals("referral_id = ?1", referral_id, "");
    if (!found) return std::unexpected(found.error());
    if (found->empty()) return std::nullopt;
    return std::move(found->front());
  }

  std::expected<std::vector<ReferralRecord>, StoreError> referrals_on_consent(const std::string& consent_id) override {
    if (consent_id.empty()) return std::vector<ReferralRecord>{};
    return read_referrals("consent_id = ?1", consent_id, "");
  }

  std::expected<std::vector<ReferralRecord>, StoreError> referrals_of_case(const std::string& client_id,
                                                                           const std::string& case_id) override {
    return read_referrals("client_id = ?1 AND case_id = ?2", client_id, case_id);
  }

  std::expected<std::vector<ReferralRecord>, StoreError> referrals_with_status(const std::string& status,
                                                                               const std::string& after_referral_id,
                                                                               int limit) override {
    return read_referrals("status = ?1 AND referral_id > ?2", status, after_referral_id, "referral_id", limit);
  }

  // The referrals matching `where` (?1, and ?2 when it names one) in `order` (oldest first unless
  // told), at most `limit` when one is given.
  std::expected<std::vector<ReferralRecord>, StoreError> read_referrals(
      std::string_view where, const std::string& first, const std::string& second,
      std::string_view order = "created_at, referral_id", std::optional<int> limit = std::nullopt) {
    std::lock_guard lock(reader_.mutex);
    std::vector<ReferralRecord> found;
    auto ok = query(
        reader_,
        "SELECT referral_id, client_id, case_id, destination, person_id, protected_identity, created_at, body, "
        "status, version, consent_id, updated_at FROM referral WHERE " +
            std::string(where) + " ORDER BY " + std::string(order) + (limit ? " LIMIT ?3" : ""),
        "read referral",
        [&](StatementUse& u) {
          u.bind(1, first);
          if (where.find("?2") != std::string_view::npos) u.bind(2, second);
          if (limit) u.bind(3, *limit);
        },
        [&](sqlite3_stmt* s) {
          ReferralRecord r;
          r.referral_id = column_text(s, 0);
          r.client_id = column_text(s, 1);
          r.case_id = column_text(s, 2);
          r.destination = column_text(s, 3);
          r.person_id = column_text(s, 4);
          r.protected_identity = sqlite3_column_int(s, 5) != 0;
          r.created_at = column_text(s, 6);
          r.referral = decode_json(column_text(s, 7));
          r.status = column_text(s, 8);
          r.version = sqlite3_column_int(s, 9);
          r.consent_id = column_text(s, 10);
          r.updated_at = column_text(s, 11);
          found.push_back(std::move(r));
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<std::optional<IdempotencyRecord>, StoreError> idempotency(const std::string& client_id,
                                                                          const std::string& key) override {
    std::lock_guard lock(reader_.mutex);
    std::optional<IdempotencyRecord> found;
    auto ok = query(
        reader_,
        "SELECT request_hash, http_status, response_body, created_at FROM idempotency_key "
        "WHERE client_id = ?1 AND key = ?2",
        "read idempotency key", [&](StatementUse& u) { u.bind(1, client_id).bind(2, key); },
        [&](sqlite3_stmt* s) {
          found = IdempotencyRecord{
              client_id, key, column_text(s, 0), sqlite3_column_int(s, 1), column_text(s, 2), column_text(s, 3)};
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<std::optional<ConsentRecord>, StoreError> consent(const std::string& consent_id) override {
    std::lock_guard lock(reader_.mutex);
    std::optional<ConsentRecord> found;
    auto ok = query(
        reader_, "SELECT " + std::string(kConsentColumns) + " FROM consent WHERE consent_id = ?1", "read consent",
        [&](StatementUse& u) { u.bind(1, consent_id); },
        [&](sqlite3_stmt* s) {
          found = read_consent(s);
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<std::vector<ConsentRecord>, StoreError> consents_for_person(const std::string& person_id) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<ConsentRecord> list;
    auto ok = query(
        reader_,
        "SELECT " + std::string(kConsentColumns) +
            " FROM consent WHERE person_id = ?1 ORDER BY recorded_at DESC, consent_id",
        "read consents", [&](StatementUse& u) { u.bind(1, person_id); },
        [&](sqlite3_stmt* s) {
          list.push_back(read_consent(s));
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return list;
  }

  std::expected<std::optional<CaseRecord>, StoreError> case_file(const std::string& organisation,
                                                                 const std::string& case_id) override {
    // The empty organisation is no organisation's (rows from before organisations, migration 10).
    if (organisation.empty()) return std::nullopt;
    return read_case("organisation = ?1 AND case_id = ?2", organisation, case_id);
  }

  std::expected<std::vector<CaseRecord>, StoreError> open_cases_with_member(const std::string& person_id) override {
    std::vector<std::pair<std::string, std::string>> keys;
    {
      std::lock_guard lock(reader_.mutex);
      auto ok = query(
          reader_,
          "SELECT m.client_id, m.case_id FROM case_member m JOIN case_file c "
          "ON c.client_id = m.client_id AND c.case_id = m.case_id "
          "WHERE m.person_id = ?1 AND c.status = 'open' ORDER BY m.client_id, m.case_id",
          "read cases of a person", [&](StatementUse& u) { u.bind(1, person_id); },
          [&](sqlite3_stmt* s) {
            keys.emplace_back(column_text(s, 0), column_text(s, 1));
            return true;
          });
      if (!ok) return std::unexpected(ok.error());
    }
    std::vector<CaseRecord> cases;
    for (const auto& [client_id, case_id] : keys) {
      auto c = read_case("client_id = ?1 AND case_id = ?2", client_id, case_id);
      if (!c) return std::unexpected(c.error());
      if (*c) cases.push_back(std::move(**c));
    }
    return cases;
  }

  // The case whose two key columns named in `where` (?1, ?2) are `first` and `case_id`.
  std::expected<std::optional<CaseRecord>, StoreError> read_case(std::string_view where, const std::string& first,
                                                                 const std::string& case_id) {
    std::lock_guard lock(reader_.mutex);
    std::optional<CaseRecord> found;
    auto ok = query(
        reader_,
        "SELECT client_id, case_id, status, unit, household, opened_at, closed_at, updated_at, "
        "organisation, closure_reason FROM case_file WHERE " +
            std::string(where),
        "read case", [&](StatementUse& u) { u.bind(1, first).bind(2, case_id); },
        [&](sqlite3_stmt* s) {
          CaseRecord c{column_text(s, 0), column_text(s, 1), column_text(s, 2), column_text(s, 3), {},
                       column_text(s, 5), column_text(s, 6), column_text(s, 7), column_text(s, 8), column_text(s, 9)};
          const auto members = decode_json(column_text(s, 4));
          if (members.is_array()) {
            for (const auto& m : members) {
              if (m.is_string()) c.household.insert(m.get<std::string>());
            }
          }
          found = std::move(c);
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  static ManualItem read_manual_item(sqlite3_stmt* s) {
    ManualItem m;
    m.item_id = column_text(s, 0);
    m.kind = column_text(s, 1);
    m.reference = column_text(s, 2);
    m.client_id = column_text(s, 3);
    m.case_id = column_text(s, 4);
    m.destination = column_text(s, 5);
    m.reason = column_text(s, 6);
    m.created_at = column_text(s, 7);
    m.status = column_text(s, 8);
    m.resolved_at = column_text(s, 9);
    m.resolved_by = column_text(s, 10);
    m.note = column_text(s, 11);
    return m;
  }

  std::expected<std::vector<ManualItem>, StoreError> manual_items(const std::string& status,
                                                                  const std::string& after_created_at,
                                                                  const std::string& after_id, int limit) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<ManualItem> items;
    auto ok = query(
        reader_,
        "SELECT item_id, kind, reference, client_id, case_id, destination, reason, created_at, status, "
        "resolved_at, resolved_by, note FROM manual_item "
        "WHERE (?1 = '' OR status = ?1) AND (created_at, item_id) > (?2, ?3) "
        "ORDER BY created_at, item_id LIMIT ?4",
        "read manual items",
        [&](StatementUse& u) { u.bind(1, status).bind(2, after_created_at).bind(3, after_id).bind(4, limit); },
        [&](sqlite3_stmt* s) {
          items.push_back(read_manual_item(s));
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return items;
  }

  std::expected<std::optional<ManualItem>, StoreError> manual_item(const std::string& item_id) override {
    std::lock_guard lock(reader_.mutex);
    std::optional<ManualItem> found;
    auto ok = query(
        reader_,
        "SELECT item_id, kind, reference, client_id, case_id, destination, reason, created_at, status, "
        "resolved_at, resolved_by, note FROM manual_item WHERE item_id = ?1",
        "read manual item", [&](StatementUse& u) { u.bind(1, item_id); },
        [&](sqlite3_stmt* s) {
          found = read_manual_item(s);
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<bool, StoreError> is_protected(const std::string& person_id) override {
    std::lock_guard lock(reader_.mutex);
    bool found = false;
    auto ok = query(
        reader_, "SELECT 1 FROM protected_person WHERE person_id = ?1", "read protected person",
        [&](StatementUse& u) { u.bind(1, person_id); },
        [&](sqlite3_stmt*) {
          found = true;
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<std::optional<SipPlanRecord>, StoreError> sip_plan(const std::string& plan_id) override {
    std::lock_guard lock(reader_.mutex);
    std::optional<SipPlanRecord> found;
    auto ok = query(
        reader_, "SELECT " + std::string(kSipPlanColumns) + " FROM sip_plan WHERE plan_id = ?1", "read sip plan",
        [&](StatementUse& u) { u.bind(1, plan_id); },
        [&](sqlite3_stmt* s) {
          found = read_sip_plan(s);
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<std::optional<nlohmann::json>, StoreError> sip_plan_version(const std::string& plan_id,
                                                                            int version) override {
    std::lock_guard lock(reader_.mutex);
    std::optional<nlohmann::json> found;
    auto ok = query(
        reader_, "SELECT plan FROM sip_plan_version WHERE plan_id = ?1 AND version = ?2", "read sip plan version",
        [&](StatementUse& u) { u.bind(1, plan_id).bind(2, version); },
        [&](sqlite3_stmt* s) {
          found = decode_json(column_text(s, 0));
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<std::vector<SipPlanRecord>, StoreError> sip_plans_with_consent(const std::string& consent_id) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<SipPlanRecord> list;
    auto ok = query(
        reader_,
        "SELECT " + std::string(kSipPlanColumns) +
            " FROM sip_plan WHERE consent_id = ?1 ORDER BY initiated_at, plan_id",
        "read sip plans of a consent", [&](StatementUse& u) { u.bind(1, consent_id); },
        [&](sqlite3_stmt* s) {
          list.push_back(read_sip_plan(s));
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return list;
  }

  std::expected<std::vector<SipPlanRecord>, StoreError> open_sip_plans(const std::string& after_plan_id,
                                                                       int limit) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<SipPlanRecord> list;
    // The cursor is a plan id; its place in the order is its (initiated_at, plan_id), read from
    // the table, so a plan that closed since it was returned still marks where the page ended.
    // An unknown cursor matches nothing rather than starting over.
    auto ok = query(
        reader_,
        "SELECT " + std::string(kSipPlanColumns) +
            " FROM sip_plan WHERE status <> 'closed' AND (?1 = '' OR (initiated_at, plan_id) > "
            "(SELECT initiated_at, plan_id FROM sip_plan WHERE plan_id = ?1)) "
            "ORDER BY initiated_at, plan_id LIMIT ?2",
        "read open sip plans", [&](StatementUse& u) { u.bind(1, after_plan_id).bind(2, limit); },
        [&](sqlite3_stmt* s) {
          list.push_back(read_sip_plan(s));
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return list;
  }

  std::expected<bool, StoreError> sip_reminder_raised(const std::string& plan_id, const std::string& kind,
                                                      const std::string& key) override {
    std::lock_guard lock(reader_.mutex);
    bool raised = false;
    auto ok = query(
        reader_, "SELECT 1 FROM sip_reminder WHERE plan_id = ?1 AND kind = ?2 AND key = ?3", "read sip reminder",
        [&](StatementUse& u) { u.bind(1, plan_id).bind(2, kind).bind(3, key); },
        [&](sqlite3_stmt*) {
          raised = true;
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return raised;
  }

  std::expected<std::vector<AttendanceDayRecord>, StoreError> attendance_days(const std::string& referral_id,
                                                                              const std::string& month) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<AttendanceDayRecord> days;
    auto ok = query(
        reader_,
        "SELECT referral_id, date, version, partner_version, day, partner_message_id, recorded_at "
        "FROM attendance_day WHERE referral_id = ?1 AND month = ?2 ORDER BY date",
        "read attendance days", [&](StatementUse& u) { u.bind(1, referral_id).bind(2, month); },
        [&](sqlite3_stmt* s) {
          AttendanceDayRecord d;
          d.referral_id = column_text(s, 0);
          d.date = column_text(s, 1);
          d.version = sqlite3_column_int(s, 2);
          d.partner_version = sqlite3_column_int64(s, 3);
          d.day = decode_json(column_text(s, 4));
          d.partner_message_id = column_text(s, 5);
          d.recorded_at = column_text(s, 6);
          days.push_back(std::move(d));
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return days;
  }

  std::expected<std::optional<AttendanceMonthRecord>, StoreError> attendance_month(const std::string& referral_id,
                                                                                   const std::string& month) override {
    auto months = read_attendance_months("referral_id = ?1 AND month = ?2",
                                         [&](StatementUse& u) { u.bind(1, referral_id).bind(2, month); });
    if (!months) return std::unexpected(months.error());
    if (months->empty()) return std::nullopt;
    return std::move(months->front());
  }

  std::expected<std::vector<AttendanceMonthRecord>, StoreError> attendance_months_to_summarise(
      const std::string& through_month, const std::string& after_referral_id, const std::string& after_month,
      int limit) override {
    return read_attendance_months(
        "changes > summarised_changes AND month <= ?1 AND (referral_id, month) > (?2, ?3) "
        "ORDER BY referral_id, month LIMIT ?4",
        [&](StatementUse& u) {
          u.bind(1, through_month).bind(2, after_referral_id).bind(3, after_month).bind(4, limit);
        });
  }

  std::expected<std::vector<AttendanceMonthRecord>, StoreError> attendance_months_of(
      const std::string& referral_id) override {
    return read_attendance_months("referral_id = ?1 ORDER BY month", [&](StatementUse& u) { u.bind(1, referral_id); });
  }

  std::expected<std::optional<AttendanceSummaryRecord>, StoreError> attendance_summary(
      const std::string& referral_id, const std::string& month) override {
    std::lock_guard lock(reader_.mutex);
    std::optional<AttendanceSummaryRecord> found;
    auto ok = query(
        reader_,
        "SELECT referral_id, month, revision, summary, raised_at FROM attendance_summary "
        "WHERE referral_id = ?1 AND month = ?2 ORDER BY revision DESC LIMIT 1",
        "read attendance summary", [&](StatementUse& u) { u.bind(1, referral_id).bind(2, month); },
        [&](sqlite3_stmt* s) {
          found = AttendanceSummaryRecord{column_text(s, 0), column_text(s, 1), sqlite3_column_int(s, 2),
                                          decode_json(column_text(s, 3)), column_text(s, 4)};
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<std::vector<ReferralReportRecord>, StoreError> referral_reports(
      const std::string& referral_id) override {
    std::lock_guard lock(reader_.mutex);
    std::vector<ReferralReportRecord> list;
    auto ok = query(
        reader_,
        "SELECT position, partner, partner_message_id, report_type, planned_followup, received_at "
        "FROM referral_report WHERE referral_id = ?1 ORDER BY position",
        "read referral reports", [&](StatementUse& u) { u.bind(1, referral_id); },
        [&](sqlite3_stmt* s) {
          ReferralReportRecord r;
          r.referral_id = referral_id;
          r.position = sqlite3_column_int64(s, 0);
          r.partner = column_text(s, 1);
          r.partner_message_id = column_text(s, 2);
          r.report_type = column_text(s, 3);
          r.planned_followup = column_text(s, 4);
          r.received_at = column_text(s, 5);
          list.push_back(std::move(r));
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return list;
  }

  std::expected<bool, StoreError> referral_reminder_raised(const std::string& referral_id, const std::string& kind,
                                                           const std::string& key) override {
    std::lock_guard lock(reader_.mutex);
    bool raised = false;
    auto ok = query(
        reader_, "SELECT 1 FROM referral_reminder WHERE referral_id = ?1 AND kind = ?2 AND key = ?3",
        "read referral reminder", [&](StatementUse& u) { u.bind(1, referral_id).bind(2, kind).bind(3, key); },
        [&](sqlite3_stmt*) {
          raised = true;
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return raised;
  }

  std::expected<bool, StoreError> inbound_seen(const std::string& partner, const std::string& id) override {
    std::lock_guard lock(reader_.mutex);
    bool seen = false;
    auto ok = query(
        reader_, "SELECT 1 FROM inbound_receipt WHERE partner = ?1 AND partner_message_id = ?2", "read inbound receipt",
        [&](StatementUse& u) { u.bind(1, partner).bind(2, id); },
        [&](sqlite3_stmt*) {
          seen = true;
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return seen;
  }

 private:
  static constexpr std::string_view kAuditColumns = "seq, recorded_at, kind, body, prev_hash, hash";

  static std::expected<std::vector<std::string>, StoreError> encode_bodies(const std::vector<AuditRecord>& records) {
    std::vector<std::string> bodies;
    bodies.reserve(records.size());
    for (const AuditRecord& r : records) {
      auto body = encode_json(r.body);
      if (!body) return std::unexpected(body.error());
      bodies.push_back(std::move(*body));
    }
    return bodies;
  }

  // Computed before the writer's lock is taken, as the bodies are: the lock is held for SQL only.
  static std::vector<AuditIndexEntry> index_entries(const std::vector<AuditRecord>& records) {
    std::vector<AuditIndexEntry> entries;
    entries.reserve(records.size());
    for (const AuditRecord& r : records) entries.push_back(index_entry(r.kind, r.body));
    return entries;
  }

  // Runs `work` in one immediate transaction on the writer, which the caller holds: committed
  // when it succeeds, rolled back otherwise.
  template <typename Work>
  std::expected<void, StoreError> in_write_transaction(Work&& work) {
    sqlite3* db = writer_.db.get();
    if (auto ok = exec(db, "BEGIN IMMEDIATE", "begin"); !ok) return ok;
    auto fail = [&](StoreError error) -> std::expected<void, StoreError> {
      // A failed COMMIT may already have rolled back (e.g. on I/O error).
      if (sqlite3_get_autocommit(db) == 0) exec(db, "ROLLBACK", "rollback");
      return std::unexpected(std::move(error));
    };
    if (auto ok = work(); !ok) return fail(ok.error());
    if (auto ok = exec(db, "COMMIT", "commit"); !ok) return fail(ok.error());
    return {};
  }

  std::expected<void, StoreError> insert_record(const AuditRecord& r, const std::string& body,
                                                const AuditIndexEntry& entry) {
    auto ok = run(writer_,
                  "INSERT INTO audit_log (seq, recorded_at, kind, body, prev_hash, hash) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                  "insert audit record", [&](StatementUse& u) {
                    u.bind(1, r.seq).bind(2, r.recorded_at).bind(3, r.kind).bind(4, body);
                    u.bind(5, r.prev_hash).bind(6, r.hash);
                  });
    // The index row commits with its record: a record is never unsearchable, nor an index row
    // without its record.
    if (ok) ok = insert_index_row(r, entry);
    return ok;
  }

  // Whether the writer's transaction already holds the row `sql` selects.
  template <typename Bind>
  std::expected<bool, StoreError> stored(std::string_view sql, Bind&& bind) {
    bool found = false;
    auto ok = query(writer_, sql, "check for a stored key", std::forward<Bind>(bind), [&](sqlite3_stmt*) {
      found = true;
      return false;
    });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  // Whether an attempt of the entry was started under a lease its instance no longer holds (a
  // paused instance woke after another took its key over): that entry alone is refused, so what
  // other requests committed in the same batch stands.
  std::expected<bool, StoreError> lease_lost(const std::vector<StoreWrite>& writes) {
    for (const StoreWrite& w : writes) {
      const auto* a = std::get_if<store_write::RecordAttempt>(&w);
      if (a == nullptr || !a->lease) continue;
      const store_write::LeaseFence& fence = *a->lease;
      auto held = stored(
          "SELECT 1 FROM delivery_lease WHERE destination = ?1 AND ordering_key = ?2 AND holder = ?3 AND token = ?4",
          [&](StatementUse& u) {
            u.bind(1, fence.key.destination).bind(2, fence.key.ordering_key).bind(3, fence.holder).bind(4, fence.token);
          });
      if (!held) return std::unexpected(held.error());
      if (!*held) return true;
    }
    return false;
  }

  // The first write of an entry that would store a key already stored, named for the refusal
  // (never with the key's value: it may be personal data), or nullptr.
  std::expected<const char*, StoreError> first_conflict(const std::vector<StoreWrite>& writes) {
    for (const StoreWrite& w : writes) {
      std::expected<bool, StoreError> found = false;
      const char* what = nullptr;
      if (const auto* k = std::get_if<store_write::PutIdempotency>(&w)) {
        what = "the idempotency key";
        found = stored("SELECT 1 FROM idempotency_key WHERE client_id = ?1 AND key = ?2",
                       [&](StatementUse& u) { u.bind(1, k->record.client_id).bind(2, k->record.key); });
      } else if (const auto* r = std::get_if<store_write::PutInboundReceipt>(&w)) {
        what = "the partner's message id";
        found = stored("SELECT 1 FROM inbound_receipt WHERE partner = ?1 AND partner_message_id = ?2",
                       [&](StatementUse& u) { u.bind(1, r->partner).bind(2, r->partner_message_id); });
      } else if (const auto* m = std::get_if<store_write::PutSipReminder>(&w)) {
        what = "the reminder";
        found = stored("SELECT 1 FROM sip_reminder WHERE plan_id = ?1 AND kind = ?2 AND key = ?3",
                       [&](StatementUse& u) { u.bind(1, m->plan_id).bind(2, m->kind).bind(3, m->key); });
      } else if (const auto* c = std::get_if<store_write::ChangeReferral>(&w)) {
        what = "the referral version";
        found = stored("SELECT 1 FROM referral_change WHERE referral_id = ?1 AND version = ?2",
                       [&](StatementUse& u) { u.bind(1, c->referral.referral_id).bind(2, c->referral.version); });
      } else if (const auto* t = std::get_if<store_write::PutReferralReminder>(&w)) {
        what = "the reminder";
        found = stored("SELECT 1 FROM referral_reminder WHERE referral_id = ?1 AND kind = ?2 AND key = ?3",
                       [&](StatementUse& u) { u.bind(1, t->referral_id).bind(2, t->kind).bind(3, t->key); });
      } else if (const auto* p = std::get_if<store_write::PutSipPlan>(&w)) {
        what = "the plan version";
        found = stored("SELECT 1 FROM sip_plan_version WHERE plan_id = ?1 AND version = ?2",
                       [&](StatementUse& u) { u.bind(1, p->record.plan_id).bind(2, p->record.version); });
      } else if (const auto* d = std::get_if<store_write::PutAttendanceDay>(&w)) {
        // The version decided on must follow the one stored: otherwise another report changed
        // the day since it was read.
        what = "a newer version of the attendance day";
        found = stored(
            "SELECT 1 WHERE COALESCE((SELECT version FROM attendance_day WHERE referral_id = ?1 AND "
            "date = ?2), 0) <> ?3",
            [&](StatementUse& u) { u.bind(1, d->day.referral_id).bind(2, d->day.date).bind(3, d->day.version - 1); });
      } else if (const auto* s = std::get_if<store_write::PutAttendanceSummary>(&w)) {
        what = "the attendance summary revision";
        found = stored("SELECT 1 FROM attendance_summary WHERE referral_id = ?1 AND month = ?2 AND revision = ?3",
                       [&](StatementUse& u) {
                         u.bind(1, s->summary.referral_id).bind(2, s->summary.month).bind(3, s->summary.revision);
                       });
      } else if (const auto* f = std::get_if<store_write::PutAbsenceFlag>(&w)) {
        what = "the absence flag";
        found =
            stored("SELECT 1 FROM attendance_month WHERE referral_id = ?1 AND month = ?2 AND absence_flagged_at <> ''",
                   [&](StatementUse& u) { u.bind(1, f->referral_id).bind(2, f->month); });
      } else if (const auto* x = std::get_if<store_write::WithdrawAbsenceFlag>(&w)) {
        what = "another absence flag";
        found = stored(
            "SELECT 1 WHERE COALESCE((SELECT absence_flagged_at FROM attendance_month WHERE referral_id = ?1 AND "
            "month = ?2), '') <> ?3",
            [&](StatementUse& u) { u.bind(1, x->referral_id).bind(2, x->month).bind(3, x->flagged_at); });
      } else if (const auto* a = std::get_if<store_write::RecordAttempt>(&w)) {
        what = "the delivery attempt";
        found = stored("SELECT 1 FROM delivery_attempt WHERE message_id = ?1 AND number = ?2",
                       [&](StatementUse& u) { u.bind(1, a->attempt.message_id).bind(2, a->attempt.number); });
      }
      if (!found) return std::unexpected(found.error());
      if (*found) return what;
    }
    return nullptr;
  }

  std::expected<void, StoreError> store_batch(const std::vector<AuditRecord>& records,
                                              const std::vector<std::string>& bodies,
                                              const std::vector<AuditIndexEntry>& entries,
                                              const std::vector<StoreWrite>& writes) {
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (auto ok = insert_record(records[i], bodies[i], entries[i]); !ok) return ok;
    }
    for (const StoreWrite& w : writes) {
      auto ok = std::visit([&](const auto& write) { return apply(write); }, w);
      if (!ok) return ok;
    }
    return {};
  }

  SqliteStore(Database writer, Database reader) {
    writer_.db = std::move(writer);
    reader_.db = std::move(reader);
  }

  static std::expected<Database, StoreError> open_connection(const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
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

    // WAL lets readers (verifier, feeds, auditor queries) run beside the writer; FULL fsyncs the
    // WAL at every commit, which is what makes an acknowledged append durable across power loss
    // (NORMAL would only survive a process crash).
    auto mode = prepare(db.get(), "PRAGMA journal_mode=WAL");
    if (!mode) return std::unexpected(mode.error());
    if (sqlite3_step(mode->get()) != SQLITE_ROW || column_text(mode->get(), 0) != "wal") {
      return std::unexpected(StoreError{"sqlite_error", "cannot switch the database to WAL journal mode"});
    }
    mode->reset();
    if (auto ok = exec(db.get(), "PRAGMA synchronous=FULL", "set synchronous"); !ok) return std::unexpected(ok.error());
    return db;
  }

  // Indexes the records committed before migration 7 (or by nothing else: every commit indexes
  // its own), oldest first, one transaction per page, so an interrupted open resumes where it
  // stopped. Runs at open, before the store is shared.
  std::expected<void, StoreError> index_unindexed_records() {
    std::lock_guard lock(writer_.mutex);
    sqlite3* db = writer_.db.get();
    std::vector<AuditRecord> page;
    for (;;) {
      if (auto ok = exec(db, "BEGIN IMMEDIATE", "begin indexing"); !ok) return ok;
      auto fail = [&](StoreError error) -> std::expected<void, StoreError> {
        if (sqlite3_get_autocommit(db) == 0) exec(db, "ROLLBACK", "rollback");
        return std::unexpected(std::move(error));
      };
      // Read inside the transaction: another process may be indexing the same file.
      std::int64_t indexed = 0;
      auto ok = query(
          writer_, "SELECT COALESCE(MAX(seq), 0) FROM audit_index", "read indexed head", [](StatementUse&) {},
          [&](sqlite3_stmt* s) {
            indexed = sqlite3_column_int64(s, 0);
            return false;
          });
      if (!ok) return fail(ok.error());
      page.clear();
      ok = query(
          writer_, "SELECT " + std::string(kAuditColumns) + " FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
          "read unindexed records", [&](StatementUse& u) { u.bind(1, indexed).bind(2, kIndexBackfillRows); },
          [&](sqlite3_stmt* s) {
            page.push_back(read_record(s));
            return true;
          });
      if (!ok) return fail(ok.error());
      for (const AuditRecord& r : page) {
        if (ok = insert_index_row(r, index_entry(r.kind, r.body)); !ok) return fail(ok.error());
      }
      if (ok = exec(db, "COMMIT", "commit indexing"); !ok) return fail(ok.error());
      if (page.size() < static_cast<std::size_t>(kIndexBackfillRows)) return {};
    }
  }

  // Inside the writer's open transaction.
  std::expected<void, StoreError> insert_index_row(const AuditRecord& r, const AuditIndexEntry& e) {
    const std::string persons = nlohmann::json(e.persons).dump();
    auto ok = run(writer_,
                  "INSERT INTO audit_index (seq, recorded_at, kind, operation, outcome, reason, client, caseworker, "
                  "case_id, partner, persons) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                  "insert audit index row", [&](StatementUse& u) {
                    u.bind(1, r.seq).bind(2, r.recorded_at).bind(3, r.kind).bind(4, e.operation).bind(5, e.outcome);
                    u.bind(6, e.reason).bind(7, e.client).bind(8, e.caseworker).bind(9, e.case_id);
                    u.bind(10, e.partner).bind(11, persons);
                  });
    for (const std::string& person : e.persons) {
      if (!ok) break;
      ok = run(writer_, "INSERT INTO audit_person (person_id, seq) VALUES (?1, ?2)", "insert audit person row",
               [&](StatementUse& u) { u.bind(1, person).bind(2, r.seq); });
    }
    return ok;
  }

  // With the reader's lock held.
  std::expected<std::optional<std::pair<std::int64_t, std::int64_t>>, StoreError> seq_range(const std::string& since,
                                                                                            const std::string& until) {
    // recorded_at is not guaranteed to grow with seq (the clock may be set back), so the bounds
    // are the true MIN and MAX over the period, read from audit_log_time without touching rows.
    std::string sql = "SELECT MIN(seq), MAX(seq) FROM audit_log";
    if (!since.empty()) sql += " WHERE recorded_at >= ?1";
    if (!until.empty()) sql += since.empty() ? " WHERE recorded_at < ?2" : " AND recorded_at < ?2";
    std::optional<std::pair<std::int64_t, std::int64_t>> range;
    auto ok = query(
        reader_, sql, "read audit seq range",
        [&](StatementUse& u) {
          if (!since.empty()) u.bind(1, since);
          if (!until.empty()) u.bind(2, until);
        },
        [&](sqlite3_stmt* s) {
          if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
            range.emplace(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));
          }
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return range;
  }

  // With the reader's lock held. A query narrowed by person, case or caseworker checks its time
  // bounds on the few rows its index yields; any other with time bounds first turns them into a
  // seq range, so that "last month's refusals" does not walk years of refusals to get there.
  std::expected<SeqWindow, StoreError> seq_window(const AuditQuery& q) {
    SeqWindow w;
    w.before = std::max<std::int64_t>(q.before_seq, 0);
    if (narrow(q) || (q.since.empty() && q.until.empty())) return w;
    auto range = seq_range(q.since, q.until);
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

  // With the reader's lock held.
  std::expected<void, StoreError> read_indexed_page(const AuditQuery& q, bool oldest_first, const SeqWindow& w,
                                                    int limit, std::vector<IndexedAuditRecord>& out) {
    const AuditIndexSql plan = audit_index_sql(q, oldest_first, w.after, w.before, limit);
    return query(
        reader_, plan.sql, "search audit index",
        [&](StatementUse& u) {
          for (std::size_t i = 0; i < plan.values.size(); ++i) {
            const int index = static_cast<int>(i + 1);
            std::visit([&](const auto& v) { u.bind(index, v); }, plan.values[i]);
          }
        },
        [&](sqlite3_stmt* s) {
          out.push_back(read_indexed(s));
          return true;
        });
  }

  // Runs a statement that returns no rows.
  template <typename Bind>
  std::expected<void, StoreError> run(Connection& c, std::string_view sql, std::string_view doing, Bind&& bind) {
    auto s = c.statement(sql);
    if (!s) return std::unexpected(s.error());
    StatementUse use(*s);
    bind(use);
    if (sqlite3_step(*s) != SQLITE_DONE) return std::unexpected(sqlite_error(c.db.get(), doing));
    return {};
  }

  // Runs a query; `row` returns false to stop early.
  template <typename Bind, typename Row>
  std::expected<void, StoreError> query(Connection& c, std::string_view sql, std::string_view doing, Bind&& bind,
                                        Row&& row) {
    auto s = c.statement(sql);
    if (!s) return std::unexpected(s.error());
    StatementUse use(*s);
    bind(use);
    int rc;
    while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
      if (!row(*s)) return {};
    }
    if (rc != SQLITE_DONE) return std::unexpected(sqlite_error(c.db.get(), doing));
    return {};
  }

  template <typename Bind>
  std::expected<std::vector<AttendanceMonthRecord>, StoreError> read_attendance_months(std::string_view where,
                                                                                       Bind&& bind) {
    std::lock_guard lock(reader_.mutex);
    std::vector<AttendanceMonthRecord> months;
    auto ok = query(reader_,
                    "SELECT referral_id, month, changes, summarised_changes, summary_revision, absence_flagged_at "
                    "FROM attendance_month WHERE " +
                        std::string(where),
                    "read attendance months", std::forward<Bind>(bind), [&](sqlite3_stmt* s) {
                      months.push_back(AttendanceMonthRecord{column_text(s, 0), column_text(s, 1),
                                                             sqlite3_column_int(s, 2), sqlite3_column_int(s, 3),
                                                             sqlite3_column_int(s, 4), column_text(s, 5)});
                      return true;
                    });
    if (!ok) return std::unexpected(ok.error());
    return months;
  }

  // The writes, each applied inside the open transaction on the writer connection.
  std::expected<void, StoreError> apply(const store_write::EnqueueMessage& w) {
    const OutboxMessage& m = w.message;
    auto payload = encode_json(m.payload);
    if (!payload) return std::unexpected(payload.error());
    auto inserted = run(writer_,
                        "INSERT INTO outbox (id, destination, type, ordering_key, client_id, case_id, payload, status, "
                        "created_at_ms, cycle_started_at_ms, next_attempt_at_ms) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8, ?9)",
                        "enqueue message", [&](StatementUse& u) {
                          u.bind(1, m.id).bind(2, m.destination).bind(3, m.type).bind(4, m.ordering_key);
                          u.bind(5, m.client_id).bind(6, m.case_id).bind(7, *payload).bind(8, m.created_at_ms);
                          u.bind(9, m.next_attempt_at_ms);
                        });
    if (!inserted || !w.lease) return inserted;
    // A key another instance holds stays with it: the upsert then changes nothing.
    return run(writer_, kClaimLeaseSql, "claim delivery lease", [&](StatementUse& u) {
      bind_claim(u, LaneKey{m.destination, m.ordering_key}, w.lease->holder, w.lease->now_ms, w.lease->until_ms);
    });
  }

  // Extends the key's lease if `holder` still holds it under `token`; false when it does not.
  std::expected<bool, StoreError> extend_lease(const LaneKey& key, const std::string& holder, std::int64_t token,
                                               std::int64_t until_ms) {
    auto ok = run(writer_,
                  "UPDATE delivery_lease SET expires_at_ms = CASE WHEN expires_at_ms < ?5 THEN ?5 ELSE expires_at_ms "
                  "END WHERE destination = ?1 AND ordering_key = ?2 AND holder = ?3 AND token = ?4",
                  "extend delivery lease", [&](StatementUse& u) {
                    u.bind(1, key.destination).bind(2, key.ordering_key).bind(3, holder).bind(4, token);
                    u.bind(5, until_ms);
                  });
    if (!ok) return std::unexpected(ok.error());
    return sqlite3_changes(writer_.db.get()) > 0;
  }

  std::expected<void, StoreError> apply(const store_write::RecordAttempt& w) {
    const DeliveryAttempt& a = w.attempt;
    if (w.lease) {
      auto held = extend_lease(w.lease->key, w.lease->holder, w.lease->token, w.lease->until_ms);
      if (!held) return std::unexpected(held.error());
      if (!*held) {
        return std::unexpected(StoreError{"lease_lost", "another instance holds the delivery lease of the key"});
      }
    }
    auto inserted = run(writer_,
                        "INSERT INTO delivery_attempt (message_id, number, started_at_ms, endpoint, http_status, "
                        "latency_ms, outcome, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        "record attempt", [&](StatementUse& u) {
                          u.bind(1, a.message_id).bind(2, a.number).bind(3, a.started_at_ms).bind(4, a.endpoint);
                          u.bind(5, a.http_status).bind(6, a.latency_ms).bind(7, a.outcome).bind(8, a.error);
                        });
    if (!inserted) return inserted;
    const std::int64_t end_ms = a.started_at_ms + a.latency_ms;
    // withheld is stored like delivered (terminal) but sets neither delivered_at nor dead_at:
    // the message was never delivered, and it is no dead letter.
    return run(writer_,
               "UPDATE outbox SET status = ?2, attempts = ?3, cycle_attempts = cycle_attempts + 1, "
               "next_attempt_at_ms = ?4, last_error = ?5, "
               "delivered_at_ms = CASE WHEN ?2 = 'delivered' THEN ?6 ELSE delivered_at_ms END, "
               "dead_at_ms = CASE WHEN ?2 = 'dead' THEN ?6 ELSE dead_at_ms END WHERE id = ?1",
               "update message after attempt", [&](StatementUse& u) {
                 u.bind(1, a.message_id).bind(2, to_string(w.status)).bind(3, a.number);
                 u.bind(4, w.next_attempt_at_ms).bind(5, w.last_error).bind(6, end_ms);
               });
  }

  std::expected<void, StoreError> apply(const store_write::Replay& w) {
    return run(writer_,
               "UPDATE outbox SET status = 'pending', cycle_attempts = 0, cycle_started_at_ms = ?2, "
               "next_attempt_at_ms = ?2, dead_at_ms = 0 WHERE id = ?1 AND status = 'dead'",
               "replay message", [&](StatementUse& u) { u.bind(1, w.message_id).bind(2, w.at_ms); });
  }

  std::expected<void, StoreError> apply(const store_write::AppendEvent& w) {
    auto envelope = encode_json(w.envelope);
    if (!envelope) return std::unexpected(envelope.error());
    return run(writer_,
               "INSERT INTO case_event (event_id, client_id, case_id, correlation_id, type, envelope) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
               "append case event", [&](StatementUse& u) {
                 u.bind(1, w.event_id).bind(2, w.client_id).bind(3, w.case_id).bind(4, w.correlation_id);
                 u.bind(5, w.type).bind(6, *envelope);
               });
  }

  std::expected<void, StoreError> apply(const store_write::PutReferral& w) {
    const ReferralRecord& r = w.referral;
    auto body = encode_json(r.referral);
    if (!body) return std::unexpected(body.error());
    return run(writer_,
               "INSERT INTO referral (referral_id, client_id, case_id, destination, person_id, protected_identity, "
               "created_at, body, status, version, consent_id, updated_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
               "store referral", [&](StatementUse& u) {
                 u.bind(1, r.referral_id).bind(2, r.client_id).bind(3, r.case_id).bind(4, r.destination);
                 u.bind(5, r.person_id).bind(6, r.protected_identity).bind(7, r.created_at).bind(8, *body);
                 u.bind(9, r.status).bind(10, r.version).bind(11, r.consent_id).bind(12, r.updated_at);
               });
  }

  std::expected<void, StoreError> apply(const store_write::ChangeReferral& w) {
    const ReferralRecord& r = w.referral;
    auto body = encode_json(r.referral);
    if (!body) return std::unexpected(body.error());
    auto version = run(writer_,
                       "INSERT INTO referral_change (referral_id, version, status, body, recorded_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5)",
                       "store referral change", [&](StatementUse& u) {
                         u.bind(1, r.referral_id).bind(2, r.version).bind(3, r.status).bind(4, *body);
                         u.bind(5, r.updated_at);
                       });
    if (!version) return version;
    return run(writer_,
               "UPDATE referral SET status = ?2, version = ?3, body = ?4, updated_at = ?5 "
               "WHERE referral_id = ?1 AND version < ?3",
               "change referral", [&](StatementUse& u) {
                 u.bind(1, r.referral_id).bind(2, r.status).bind(3, r.version).bind(4, *body).bind(5, r.updated_at);
               });
  }

  std::expected<void, StoreError> apply(const store_write::PutIdempotency& w) {
    const IdempotencyRecord& r = w.record;
    return run(writer_,
               "INSERT INTO idempotency_key (client_id, key, request_hash, http_status, response_body, created_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
               "store idempotency key", [&](StatementUse& u) {
                 u.bind(1, r.client_id).bind(2, r.key).bind(3, r.request_hash).bind(4, r.http_status);
                 u.bind(5, r.response_body).bind(6, r.created_at);
               });
  }

  std::expected<void, StoreError> apply(const store_write::PutReferralReport& w) {
    const ReferralReportRecord& r = w.report;
    return run(writer_,
               "INSERT INTO referral_report (referral_id, partner, partner_message_id, report_type, planned_followup, "
               "received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
               "store referral report", [&](StatementUse& u) {
                 u.bind(1, r.referral_id).bind(2, r.partner).bind(3, r.partner_message_id).bind(4, r.report_type);
                 u.bind(5, r.planned_followup).bind(6, r.received_at);
               });
  }

  std::expected<void, StoreError> apply(const store_write::PutReferralReminder& w) {
    return run(writer_, "INSERT INTO referral_reminder (referral_id, kind, key, raised_at) VALUES (?1, ?2, ?3, ?4)",
               "store referral reminder",
               [&](StatementUse& u) { u.bind(1, w.referral_id).bind(2, w.kind).bind(3, w.key).bind(4, w.raised_at); });
  }

  std::expected<void, StoreError> apply(const store_write::PutInboundReceipt& w) {
    return run(writer_,
               "INSERT INTO inbound_receipt (partner, partner_message_id, referral_id, received_at) "
               "VALUES (?1, ?2, ?3, ?4)",
               "store inbound receipt", [&](StatementUse& u) {
                 u.bind(1, w.partner).bind(2, w.partner_message_id).bind(3, w.referral_id).bind(4, w.received_at);
               });
  }

  std::expected<void, StoreError> apply(const store_write::PutConsent& w) {
    const ConsentRecord& c = w.consent;
    auto types = encode_json(nlohmann::json(c.information_types));
    if (!types) return std::unexpected(types.error());
    auto organisations = encode_json(nlohmann::json(c.organisations));
    if (!organisations) return std::unexpected(organisations.error());
    return run(
        writer_,
        "INSERT INTO consent (consent_id, person_id, id_kind, partner, information_types, given_at, expires_at, "
        "withdrawn_at, document_reference, case_id, client_id, recorded_at, organisations, organisation, held_by) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        "store consent", [&](StatementUse& u) {
          u.bind(1, c.consent_id).bind(2, c.person_id).bind(3, c.id_kind).bind(4, c.partner).bind(5, *types);
          u.bind(6, c.given_at).bind(7, c.expires_at).bind(8, c.withdrawn_at).bind(9, c.document_reference);
          u.bind(10, c.case_id).bind(11, c.client_id).bind(12, c.recorded_at).bind(13, *organisations);
          u.bind(14, c.organisation).bind(15, c.held_by);
        });
  }

  std::expected<void, StoreError> apply(const store_write::WithdrawConsent& w) {
    // The first withdrawal counts; a repeat changes nothing.
    return run(writer_, "UPDATE consent SET withdrawn_at = ?2 WHERE consent_id = ?1 AND withdrawn_at = ''",
               "withdraw consent", [&](StatementUse& u) { u.bind(1, w.consent_id).bind(2, w.withdrawn_at); });
  }

  std::expected<void, StoreError> apply(const store_write::PutCase& w) {
    const CaseRecord& c = w.record;
    const std::string household = nlohmann::json(c.household).dump();
    // The organisation's case, whichever of its clients registered it last, is replaced; so is
    // this client's own row from before organisations (empty organisation, migration 10). A row
    // this client registered for another organisation is left alone: the insert then fails
    // rather than take another organisation's case over.
    const std::string replaced =
        "(organisation = ?1 AND case_id = ?2 AND organisation <> '') OR "
        "(client_id = ?3 AND case_id = ?2 AND organisation = '')";
    auto cleared = run(writer_,
                       "DELETE FROM case_member WHERE (client_id, case_id) IN "
                       "(SELECT client_id, case_id FROM case_file WHERE " +
                           replaced + ")",
                       "store case members",
                       [&](StatementUse& u) { u.bind(1, c.organisation).bind(2, c.case_id).bind(3, c.client_id); });
    if (!cleared) return cleared;
    auto removed = run(writer_, "DELETE FROM case_file WHERE " + replaced, "store case",
                       [&](StatementUse& u) { u.bind(1, c.organisation).bind(2, c.case_id).bind(3, c.client_id); });
    if (!removed) return removed;
    auto stored = run(writer_,
                      "INSERT INTO case_file (client_id, case_id, status, unit, household, opened_at, "
                      "closed_at, updated_at, organisation, closure_reason) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                      "store case", [&](StatementUse& u) {
                        u.bind(1, c.client_id).bind(2, c.case_id).bind(3, c.status).bind(4, c.unit).bind(5, household);
                        u.bind(6, c.opened_at).bind(7, c.closed_at).bind(8, c.updated_at).bind(9, c.organisation);
                        u.bind(10, c.closure_reason);
                      });
    if (!stored) return stored;
    for (const std::string& person : c.household) {
      auto member =
          run(writer_, "INSERT INTO case_member (person_id, client_id, case_id) VALUES (?1, ?2, ?3)",
              "store case member", [&](StatementUse& u) { u.bind(1, person).bind(2, c.client_id).bind(3, c.case_id); });
      if (!member) return member;
    }
    return {};
  }

  std::expected<void, StoreError> apply(const store_write::PutManualItem& w) {
    const ManualItem& m = w.item;
    return run(
        writer_,
        "INSERT INTO manual_item (item_id, kind, reference, client_id, case_id, destination, reason, created_at, "
        "status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open')",
        "store manual item", [&](StatementUse& u) {
          u.bind(1, m.item_id).bind(2, m.kind).bind(3, m.reference).bind(4, m.client_id).bind(5, m.case_id);
          u.bind(6, m.destination).bind(7, m.reason).bind(8, m.created_at);
        });
  }

  std::expected<void, StoreError> apply(const store_write::RemoveAuditThrough& w) {
    const AuditCheckpoint& c = w.checkpoint;
    const auto through = [&](StatementUse& u) { u.bind(1, c.through_seq); };
    for (const auto& [sql, doing] : std::initializer_list<std::pair<const char*, const char*>>{
             {"INSERT INTO audit_retention_permit (one) VALUES (1)", "take the retention permit"},
             {"DELETE FROM audit_person WHERE seq <= ?1", "remove audit person rows"},
             {"DELETE FROM audit_index WHERE seq <= ?1", "remove audit index rows"},
             {"DELETE FROM audit_log WHERE seq <= ?1", "remove audit records"},
             {"DELETE FROM audit_retention_permit", "return the retention permit"}}) {
      const bool binds = std::string_view(sql).find("?1") != std::string_view::npos;
      auto ok = run(
          writer_, sql, doing, binds ? std::function<void(StatementUse&)>(through) : [](StatementUse&) {});
      if (!ok) return ok;
    }
    return run(writer_,
               "INSERT INTO audit_checkpoint (through_seq, through_hash, removed_records, removed_before, created_at, "
               "key_id, signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
               "store audit checkpoint", [&](StatementUse& u) {
                 u.bind(1, c.through_seq).bind(2, c.through_hash).bind(3, c.removed_records).bind(4, c.removed_before);
                 u.bind(5, c.created_at).bind(6, c.key_id).bind(7, c.signature);
               });
  }

  std::expected<void, StoreError> apply(const store_write::ResolveManualItem& w) {
    // The first resolution counts; a repeat changes nothing.
    return run(writer_,
               "UPDATE manual_item SET status = 'resolved', resolved_at = ?2, resolved_by = ?3, note = ?4 "
               "WHERE item_id = ?1 AND status = 'open'",
               "resolve manual item", [&](StatementUse& u) {
                 u.bind(1, w.item_id).bind(2, w.resolved_at).bind(3, w.resolved_by).bind(4, w.note);
               });
  }

  std::expected<void, StoreError> apply(const store_write::PutSipPlan& w) {
    const SipPlanRecord& r = w.record;
    auto plan = encode_json(r.plan);
    if (!plan) return std::unexpected(plan.error());
    auto current = run(writer_,
                       "INSERT INTO sip_plan (plan_id, client_id, case_id, person_id, consent_id, status, version, "
                       "initiated_at, updated_at, meeting_at, followup_due, protected_identity, plan) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
                       "ON CONFLICT (plan_id) DO UPDATE SET client_id = excluded.client_id, "
                       "case_id = excluded.case_id, person_id = excluded.person_id, "
                       "consent_id = excluded.consent_id, status = excluded.status, version = excluded.version, "
                       "initiated_at = excluded.initiated_at, updated_at = excluded.updated_at, "
                       "meeting_at = excluded.meeting_at, followup_due = excluded.followup_due, "
                       "protected_identity = excluded.protected_identity, plan = excluded.plan",
                       "store sip plan", [&](StatementUse& u) {
                         u.bind(1, r.plan_id).bind(2, r.client_id).bind(3, r.case_id).bind(4, r.person_id);
                         u.bind(5, r.consent_id).bind(6, r.status).bind(7, r.version).bind(8, r.initiated_at);
                         u.bind(9, r.updated_at).bind(10, r.meeting_at).bind(11, r.followup_due);
                         u.bind(12, r.protected_identity).bind(13, *plan);
                       });
    if (!current) return current;
    // A plain INSERT: a version already stored is a conflict that fails the commit, never an
    // overwrite (two changes made from the same version must not both land).
    return run(writer_, "INSERT INTO sip_plan_version (plan_id, version, plan, recorded_at) VALUES (?1, ?2, ?3, ?4)",
               "store sip plan version",
               [&](StatementUse& u) { u.bind(1, r.plan_id).bind(2, r.version).bind(3, *plan).bind(4, r.updated_at); });
  }

  std::expected<void, StoreError> apply(const store_write::PutSipReminder& w) {
    // The first raising is kept: when the reminder was raised.
    return run(writer_, "INSERT OR IGNORE INTO sip_reminder (plan_id, kind, key, raised_at) VALUES (?1, ?2, ?3, ?4)",
               "store sip reminder",
               [&](StatementUse& u) { u.bind(1, w.plan_id).bind(2, w.kind).bind(3, w.key).bind(4, w.raised_at); });
  }

  std::expected<void, StoreError> apply(const store_write::RememberProtected& w) {
    // The first flag is kept: when and by whom a person was first known to be protected.
    return run(writer_,
               "INSERT OR IGNORE INTO protected_person (person_id, flagged_by, flagged_at) VALUES (?1, ?2, ?3)",
               "remember protected person",
               [&](StatementUse& u) { u.bind(1, w.person_id).bind(2, w.flagged_by).bind(3, w.flagged_at); });
  }

  std::expected<void, StoreError> apply(const store_write::PutSession& w) {
    const SessionRecord& r = w.session;
    return run(writer_,
               "INSERT INTO console_session (token_hash, user_id, roles, expires_at, last_used_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5)",
               "store session", [&](StatementUse& u) {
                 u.bind(1, r.token_hash).bind(2, r.user_id).bind(3, nlohmann::json(r.roles).dump());
                 u.bind(4, r.expires_at).bind(5, r.last_used_at);
               });
  }

  std::expected<void, StoreError> apply(const store_write::EndSession& w) {
    return run(writer_, "DELETE FROM console_session WHERE token_hash = ?1", "end session",
               [&](StatementUse& u) { u.bind(1, w.token_hash); });
  }

  std::expected<void, StoreError> apply(const store_write::PutAttendanceDay& w) {
    const AttendanceDayRecord& d = w.day;
    auto day = encode_json(d.day);
    if (!day) return std::unexpected(day.error());
    const std::string month = d.date.substr(0, 7);
    auto ok = run(writer_,
                  "INSERT INTO attendance_day (referral_id, date, month, version, partner_version, day, "
                  "partner_message_id, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                  "ON CONFLICT (referral_id, date) DO UPDATE SET version = excluded.version, "
                  "partner_version = excluded.partner_version, day = excluded.day, "
                  "partner_message_id = excluded.partner_message_id, recorded_at = excluded.recorded_at",
                  "store attendance day", [&](StatementUse& u) {
                    u.bind(1, d.referral_id).bind(2, d.date).bind(3, month).bind(4, d.version);
                    u.bind(5, d.partner_version).bind(6, *day).bind(7, d.partner_message_id).bind(8, d.recorded_at);
                  });
    if (!ok) return ok;
    return run(writer_,
               "INSERT INTO attendance_month (referral_id, month, changes) VALUES (?1, ?2, 1) "
               "ON CONFLICT (referral_id, month) DO UPDATE SET changes = attendance_month.changes + 1",
               "count attendance change", [&](StatementUse& u) { u.bind(1, d.referral_id).bind(2, month); });
  }

  std::expected<void, StoreError> apply(const store_write::PutAttendanceSummary& w) {
    const AttendanceSummaryRecord& r = w.summary;
    auto summary = encode_json(r.summary);
    if (!summary) return std::unexpected(summary.error());
    auto ok =
        run(writer_,
            "INSERT INTO attendance_summary (referral_id, month, revision, summary, raised_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5)",
            "store attendance summary", [&](StatementUse& u) {
              u.bind(1, r.referral_id).bind(2, r.month).bind(3, r.revision).bind(4, *summary).bind(5, r.raised_at);
            });
    if (!ok) return ok;
    return run(writer_,
               "INSERT INTO attendance_month (referral_id, month, changes, summarised_changes, summary_revision) "
               "VALUES (?1, ?2, ?3, ?3, ?4) ON CONFLICT (referral_id, month) DO UPDATE SET "
               "summarised_changes = MAX(attendance_month.summarised_changes, excluded.summarised_changes), "
               "summary_revision = MAX(attendance_month.summary_revision, excluded.summary_revision)",
               "record attendance summary", [&](StatementUse& u) {
                 u.bind(1, r.referral_id).bind(2, r.month).bind(3, w.covers_changes).bind(4, r.revision);
               });
  }

  std::expected<void, StoreError> apply(const store_write::PutAbsenceFlag& w) {
    return run(writer_,
               "INSERT INTO attendance_month (referral_id, month, changes, absence_flagged_at) VALUES (?1, ?2, 0, ?3) "
               "ON CONFLICT (referral_id, month) DO UPDATE SET absence_flagged_at = excluded.absence_flagged_at",
               "flag absence",
               [&](StatementUse& u) { u.bind(1, w.referral_id).bind(2, w.month).bind(3, w.flagged_at); });
  }

  std::expected<void, StoreError> apply(const store_write::WithdrawAbsenceFlag& w) {
    return run(writer_,
               "UPDATE attendance_month SET absence_flagged_at = '' WHERE referral_id = ?1 AND month = ?2 "
               "AND absence_flagged_at = ?3",
               "withdraw absence flag",
               [&](StatementUse& u) { u.bind(1, w.referral_id).bind(2, w.month).bind(3, w.flagged_at); });
  }

  std::expected<std::optional<SessionRecord>, StoreError> session(const std::string& token_hash) override {
    std::lock_guard lock(reader_.mutex);
    std::optional<SessionRecord> found;
    auto ok = query(
        reader_,
        "SELECT token_hash, user_id, roles, expires_at, last_used_at FROM console_session WHERE token_hash = ?1",
        "read session", [&](StatementUse& u) { u.bind(1, token_hash); },
        [&](sqlite3_stmt* s) {
          found = SessionRecord{column_text(s, 0), column_text(s, 1), decode_string_set(column_text(s, 2)),
                                sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4)};
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return found;
  }

  std::expected<void, StoreError> touch_session(const std::string& token_hash, std::int64_t used_at,
                                                std::int64_t unless_since) override {
    std::lock_guard lock(writer_.mutex);
    return run(writer_, "UPDATE console_session SET last_used_at = ?2 WHERE token_hash = ?1 AND last_used_at < ?3",
               "note session use",
               [&](StatementUse& u) { u.bind(1, token_hash).bind(2, used_at).bind(3, unless_since); });
  }

  std::expected<bool, StoreError> remove_session(const std::string& token_hash) override {
    std::lock_guard lock(writer_.mutex);
    auto removed = returned_rows(writer_, "DELETE FROM console_session WHERE token_hash = ?1 RETURNING 1",
                                 "remove session", [&](StatementUse& u) { u.bind(1, token_hash); });
    if (!removed) return std::unexpected(removed.error());
    return *removed > 0;
  }

  std::expected<std::int64_t, StoreError> remove_expired_sessions(std::int64_t now, std::int64_t idle_since) override {
    std::lock_guard lock(writer_.mutex);
    return returned_rows(writer_,
                         "DELETE FROM console_session WHERE expires_at <= ?1 OR last_used_at <= ?2 RETURNING 1",
                         "remove expired sessions", [&](StatementUse& u) { u.bind(1, now).bind(2, idle_since); });
  }

  std::expected<std::int64_t, StoreError> session_count() override {
    return count("SELECT COUNT(*) FROM console_session", "count sessions");
  }

  std::expected<std::string, StoreError> sign_in_key() override {
    std::lock_guard lock(reader_.mutex);
    std::string key;
    auto ok = query(
        reader_, "SELECT key FROM sign_in_key WHERE one = 1", "read sign-in key", [](StatementUse&) {},
        [&](sqlite3_stmt* s) {
          key = column_text(s, 0);
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    if (key.empty()) return std::unexpected(StoreError{"sqlite_error", "the sign-in key is missing"});
    return key;
  }

  std::expected<SignInBudget, StoreError> take_sign_in_attempt(const std::string& scope, const std::string& key,
                                                               const std::string& remote_address, std::int64_t now,
                                                               std::int64_t window_passed) override {
    std::lock_guard lock(writer_.mutex);
    std::optional<SignInBudget> budget;
    // One statement: the count returned is the one this attempt made, whoever else is trying.
    auto ok = query(
        writer_,
        "INSERT INTO sign_in_budget (scope, key, window_start, attempts, remote_address) VALUES (?1, ?2, ?3, 1, ?4) "
        "ON CONFLICT (scope, key) DO UPDATE SET "
        "attempts = CASE WHEN sign_in_budget.locked_until IS NULL AND sign_in_budget.window_start <= ?5 "
        "THEN 1 ELSE sign_in_budget.attempts + 1 END, "
        "window_start = CASE WHEN sign_in_budget.locked_until IS NULL AND sign_in_budget.window_start <= ?5 "
        "THEN excluded.window_start ELSE sign_in_budget.window_start END, "
        "remote_address = excluded.remote_address "
        "RETURNING attempts, window_start",
        "take sign-in attempt",
        [&](StatementUse& u) {
          u.bind(1, scope).bind(2, key).bind(3, now).bind(4, remote_address).bind(5, window_passed);
        },
        [&](sqlite3_stmt* s) {
          budget = SignInBudget{sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1)};
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    if (!budget) return std::unexpected(StoreError{"sqlite_error", "take sign-in attempt: no row returned"});
    return *budget;
  }

  std::expected<void, StoreError> return_sign_in_attempt(const std::string& scope, const std::string& key,
                                                         std::int64_t window_start) override {
    std::lock_guard lock(writer_.mutex);
    return run(writer_,
               "UPDATE sign_in_budget SET attempts = attempts - 1 "
               "WHERE scope = ?1 AND key = ?2 AND window_start = ?3 AND attempts > 0",
               "return sign-in attempt", [&](StatementUse& u) { u.bind(1, scope).bind(2, key).bind(3, window_start); });
  }

  std::expected<std::optional<std::int64_t>, StoreError> lock_sign_in(const std::string& scope, const std::string& key,
                                                                      int limit, std::int64_t window) override {
    std::lock_guard lock(writer_.mutex);
    std::optional<std::int64_t> until;
    auto ok = query(
        writer_,
        "UPDATE sign_in_budget SET locked_until = window_start + ?4 "
        "WHERE scope = ?1 AND key = ?2 AND locked_until IS NULL AND attempts >= ?3 RETURNING locked_until",
        "lock sign-in", [&](StatementUse& u) { u.bind(1, scope).bind(2, key).bind(3, limit).bind(4, window); },
        [&](sqlite3_stmt* s) {
          until = sqlite3_column_int64(s, 0);
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return until;
  }

  std::expected<bool, StoreError> unlock_sign_in_below(const std::string& scope, const std::string& key,
                                                       int limit) override {
    std::lock_guard lock(writer_.mutex);
    auto lifted =
        returned_rows(writer_,
                      "UPDATE sign_in_budget SET locked_until = NULL "
                      "WHERE scope = ?1 AND key = ?2 AND locked_until IS NOT NULL AND attempts < ?3 RETURNING 1",
                      "unlock sign-in", [&](StatementUse& u) { u.bind(1, scope).bind(2, key).bind(3, limit); });
    if (!lifted) return std::unexpected(lifted.error());
    return *lifted > 0;
  }

  std::expected<bool, StoreError> clear_sign_in(const std::string& scope, const std::string& key) override {
    std::lock_guard lock(writer_.mutex);
    auto lifted = returned_rows(
        writer_, "DELETE FROM sign_in_budget WHERE scope = ?1 AND key = ?2 RETURNING locked_until",
        "clear sign-in budget", [&](StatementUse& u) { u.bind(1, scope).bind(2, key); },
        /*non_null_only=*/true);
    if (!lifted) return std::unexpected(lifted.error());
    return *lifted > 0;
  }

  std::expected<std::vector<SignInUnlock>, StoreError> sweep_sign_in(std::int64_t window_passed) override {
    std::lock_guard lock(writer_.mutex);
    std::vector<SignInUnlock> lifted;
    auto ok = query(
        writer_,
        "DELETE FROM sign_in_budget WHERE window_start <= ?1 RETURNING scope, key, remote_address, locked_until",
        "sweep sign-in budgets", [&](StatementUse& u) { u.bind(1, window_passed); },
        [&](sqlite3_stmt* s) {
          if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
            lifted.push_back({column_text(s, 0), column_text(s, 1), column_text(s, 2), sqlite3_column_int64(s, 3)});
          }
          return true;
        });
    if (!ok) return std::unexpected(ok.error());
    return lifted;
  }

  std::expected<std::int64_t, StoreError> sign_in_tracked() override {
    return count("SELECT COUNT(*) FROM sign_in_budget", "count sign-in budgets");
  }

  std::expected<std::int64_t, StoreError> count(std::string_view sql, std::string_view doing) {
    std::lock_guard lock(reader_.mutex);
    std::int64_t n = 0;
    auto ok = query(
        reader_, sql, doing, [](StatementUse&) {},
        [&](sqlite3_stmt* s) {
          n = sqlite3_column_int64(s, 0);
          return false;
        });
    if (!ok) return std::unexpected(ok.error());
    return n;
  }

  // Runs a statement with RETURNING to its end (its changes are made only then) and counts the
  // rows it returned, or those whose first column is not NULL.
  template <typename Bind>
  std::expected<std::int64_t, StoreError> returned_rows(Connection& c, std::string_view sql, std::string_view doing,
                                                        Bind&& bind, bool non_null_only = false) {
    std::int64_t n = 0;
    auto ok = query(c, sql, doing, std::forward<Bind>(bind), [&](sqlite3_stmt* s) {
      if (!non_null_only || sqlite3_column_type(s, 0) != SQLITE_NULL) ++n;
      return true;
    });
    if (!ok) return std::unexpected(ok.error());
    return n;
  }

  Connection writer_;
  Connection reader_;
};

}  // namespace

std::expected<std::unique_ptr<Store>, StoreError> open_sqlite_store(const std::filesystem::path& path) {
  return SqliteStore::open(path);
}

}  // namespace knutpunkt
