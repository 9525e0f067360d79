// Migration 9: SIP plans with their versions and reminders, the outbox status withheld (and the
// outbox rebuild it takes), consent organisations.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "migration_setback.h"
#include "store/sqlite/sqlite_store.h"
#include "store_reads.h"
#include "store_test_support.h"

using namespace knutpunkt;
using namespace store_test;

namespace {

// Every row of the query's first column, joined by newlines.
std::string raw_lines(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  std::string out;
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (!out.empty()) out += "\n";
    if (sqlite3_column_text(s, 0)) out += reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

void commit_ok(Store& store, const std::vector<AuditRecord>& records, const std::vector<StoreWrite>& writes) {
  auto ok = store.commit(records, writes);
  INFO((ok ? std::string() : ok.error().code + ": " + ok.error().message));
  REQUIRE(ok.has_value());
}

AuditRecord sip_changed_record(std::int64_t seq) {
  return AuditRecord{seq,          "2026-11-24T10:00:00.000Z", "sip.changed",
                     {{"n", seq}}, "p" + std::to_string(seq),  "h" + std::to_string(seq)};
}

SipPlanRecord plan(const std::string& plan_id, int version, const std::string& status = "initiated",
                   const std::string& initiated_at = "2026-11-01T09:00:00Z", const std::string& consent_id = "C-1") {
  SipPlanRecord r;
  r.plan_id = plan_id;
  r.client_id = "client-a";
  r.case_id = "EB-" + plan_id;
  r.person_id = "191212121212";
  r.consent_id = consent_id;
  r.status = status;
  r.version = version;
  r.initiated_at = initiated_at;
  r.updated_at = "2026-11-0" + std::to_string(version) + "T10:00:00Z";
  r.plan = {{"plan_id", plan_id}, {"version", version}, {"status", status}, {"goal", "Bostad i Södertälje"}};
  return r;
}

OutboxMessage outbox(const std::string& id) {
  OutboxMessage m;
  m.id = id;
  m.destination = "region";
  m.type = "sip.invited";
  m.ordering_key = "SIP-1";
  m.client_id = "client-a";
  m.case_id = "EB-1";
  m.payload = {{"id", id}};
  m.created_at_ms = 1000;
  m.next_attempt_at_ms = 1000;
  return m;
}

ConsentRecord consent(const std::string& id, std::set<std::string> organisations) {
  ConsentRecord c;
  c.consent_id = id;
  c.person_id = "191212121212";
  c.id_kind = "personnummer";
  c.partner = "sip";
  c.information_types = {"SIP"};
  c.given_at = "2026-11-01";
  c.expires_at = "2027-11-01";
  c.document_reference = "DOK-" + id;
  c.case_id = "EB-1";
  c.client_id = "client-a";
  c.recorded_at = "2026-11-01T09:00:00Z";
  c.organisations = std::move(organisations);
  return c;
}

// The outbox as migration 2 created it, the form every database up to version 8 has.
constexpr const char* kVersion8Outbox = R"sql(
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
  CREATE INDEX outbox_undelivered ON outbox (position) WHERE status IN ('pending', 'dead');
  CREATE INDEX outbox_dead ON outbox (destination, position) WHERE status = 'dead';
  CREATE INDEX outbox_ordering ON outbox (ordering_key, position);
)sql";

// Sets a database back to what a version 8 build left behind.
void rewind_to_version_8(const std::filesystem::path& file) {
  REQUIRE(raw_exec(file, std::string(kUndoReferralVersions) +
                             "DROP INDEX case_file_organisation; ALTER TABLE case_file DROP COLUMN organisation; "
                             "ALTER TABLE consent DROP COLUMN organisation; ALTER TABLE consent DROP COLUMN held_by; "
                             "DROP TABLE sip_plan; DROP TABLE sip_plan_version; DROP TABLE sip_reminder; "
                             "ALTER TABLE consent DROP COLUMN organisations; DROP TABLE outbox; "
                             "DROP TABLE delivery_lease; " +
                             kVersion8Outbox + "DELETE FROM schema_version WHERE version >= 9;") == SQLITE_OK);
}

// The outbox's columns and indexes (automatic ones included) as the schema states them.
std::string outbox_shape(const std::filesystem::path& file) {
  return raw_lines(file,
                   "SELECT name || ' ' || type || ' ' || \"notnull\" || ' ' || COALESCE(dflt_value, '-') || ' ' || pk "
                   "FROM pragma_table_info('outbox') ORDER BY cid") +
         "\n--\n" +
         raw_lines(file,
                   "SELECT name || ': ' || COALESCE(sql, '(automatic)') FROM sqlite_master "
                   "WHERE type IN ('index', 'trigger') AND tbl_name = 'outbox' "
                   // Migration 11's own index, after migration 9; checked on its own.
                   "AND name <> 'outbox_undelivered_key' ORDER BY name");
}

using knutpunkt::test_support::undelivered;

}  // namespace

TEST_CASE("a version 8 database keeps its outbox rows, positions, indexes and consents through migration 9") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  {
    auto store = open_store(file);
    commit_ok(*store, {}, {store_write::PutConsent{consent("C-old", {})}});
  }
  const std::string fresh_shape = outbox_shape(file);
  rewind_to_version_8(file);
  const std::string version_8_shape = outbox_shape(file);
  REQUIRE(raw_lines(file, "SELECT MAX(version) FROM schema_version") == "8");
  // Positions with gaps, every status a version 8 build could write.
  REQUIRE(raw_exec(file,
                   "INSERT INTO outbox (position, id, destination, type, ordering_key, client_id, case_id, payload, "
                   "status, attempts, cycle_attempts, created_at_ms, cycle_started_at_ms, next_attempt_at_ms, "
                   "delivered_at_ms, dead_at_ms, last_error) VALUES "
                   "(3, 'm-pending', 'jobbtorg', 'referral.requested', 'R-1', 'client-a', 'EB-1', '{\"n\":3}', "
                   "'pending', 1, 1, 100, 100, 900, 0, 0, 'timeout'), "
                   "(7, 'm-delivered', 'jobbtorg', 'referral.requested', 'R-2', 'client-a', 'EB-2', '{\"n\":7}', "
                   "'delivered', 2, 2, 200, 200, 0, 450, 0, ''), "
                   "(12, 'm-dead', 'fk', 'case.updated', 'R-3', 'client-b', 'EB-3', '{\"n\":12}', "
                   "'dead', 5, 5, 300, 300, 0, 0, 880, 'http_500')") == SQLITE_OK);
  REQUIRE(raw_exec(file, "UPDATE consent SET information_types = '[\"SIP\",\"HANDLINGSPLAN\"]'") == SQLITE_OK);

  auto store = open_store(file);
  // Through migration 9, and on to the latest.
  CHECK(raw_lines(file, "SELECT COUNT(*) FROM schema_version WHERE version = 9") == "1");
  CHECK(raw_lines(file, "PRAGMA integrity_check") == "ok");

  // Columns and indexes as before, the automatic unique index included; only the CHECK changed.
  CHECK(outbox_shape(file) == version_8_shape);
  CHECK(outbox_shape(file) == fresh_shape);
  CHECK(raw_lines(file, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'outbox_undelivered_key'") == "1");
  CHECK(raw_lines(file, "SELECT sql FROM sqlite_master WHERE name = 'outbox'").find("'withheld'") != std::string::npos);

  const auto pending = store->message("m-pending").value();
  REQUIRE(pending.has_value());
  CHECK(pending->position == 3);
  CHECK(pending->status == MessageStatus::pending);
  CHECK(pending->attempts == 1);
  CHECK(pending->next_attempt_at_ms == 900);
  CHECK(pending->last_error == "timeout");
  CHECK(pending->payload == nlohmann::json{{"n", 3}});
  const auto delivered = store->message("m-delivered").value();
  REQUIRE(delivered.has_value());
  CHECK(delivered->position == 7);
  CHECK(delivered->status == MessageStatus::delivered);
  CHECK(delivered->delivered_at_ms == 450);
  const auto dead = store->message("m-dead").value();
  REQUIRE(dead.has_value());
  CHECK(dead->position == 12);
  CHECK(dead->status == MessageStatus::dead);
  CHECK(dead->dead_at_ms == 880);
  CHECK(dead->destination == "fk");
  CHECK(dead->client_id == "client-b");

  const auto scan = undelivered(*store);
  REQUIRE(scan.size() == 2);
  CHECK(scan[0].id == "m-pending");
  CHECK(scan[1].id == "m-dead");
  CHECK(store->dead_letters(DeadLetterQuery{}).value().size() == 1);

  // Acceptance order goes on after the kept positions.
  commit_ok(*store, {}, {store_write::EnqueueMessage{outbox("m-new")}});
  CHECK(store->message("m-new").value()->position == 13);
  // The rebuilt CHECK still refuses what is no status.
  CHECK(raw_exec(file, "UPDATE outbox SET status = 'lost' WHERE id = 'm-new'") != SQLITE_OK);
  CHECK(raw_exec(file, "UPDATE outbox SET status = 'withheld' WHERE id = 'm-new'") == SQLITE_OK);

  const auto old_consent = store->consent("C-old").value();
  REQUIRE(old_consent.has_value());
  CHECK(old_consent->information_types == std::set<std::string>{"SIP", "HANDLINGSPLAN"});
  CHECK(old_consent->document_reference == "DOK-C-old");
  CHECK(old_consent->organisations.empty());
  CHECK(store->sip_plan("SIP-1").value() == std::nullopt);
}

TEST_CASE("a stored plan version cannot be edited in place through SQL") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  auto store = open_store(file);
  commit_ok(*store, {sip_changed_record(1)}, {store_write::PutSipPlan{plan("SIP-1", 1)}});
  CHECK(raw_exec(file, "UPDATE sip_plan_version SET plan = '{}' WHERE plan_id = 'SIP-1'") != SQLITE_OK);
  CHECK(store->sip_plan_version("SIP-1", 1).value() == plan("SIP-1", 1).plan);
}

TEST_CASE("a reminder raised again keeps the time it was first raised") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  auto store = open_store(file);
  commit_ok(*store, {}, {store_write::PutSipReminder{"SIP-1", "followup_due", "2027-02-20", "2027-02-13T06:00:00Z"}});
  commit_ok(*store, {}, {store_write::PutSipReminder{"SIP-1", "followup_due", "2027-02-20", "2027-02-14T06:00:00Z"}});
  CHECK(raw_lines(file, "SELECT raised_at FROM sip_reminder") == "2027-02-13T06:00:00Z");
}
