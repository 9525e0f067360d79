#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "migration_setback.h"
#include "store_reads.h"
#include "store_test_support.h"

using knutpunkt::AuditRecord;
using knutpunkt::open_sqlite_store;
using knutpunkt::Store;
using namespace store_test;

namespace {

AuditRecord record(std::int64_t seq, nlohmann::json body = {{"n", 1}}) {
  return AuditRecord{seq,
                     "2025-06-15T10:00:00.000Z",
                     "lookup",
                     std::move(body),
                     "prev" + std::to_string(seq),
                     "hash" + std::to_string(seq)};
}

using knutpunkt::test_support::scan_all;

}  // namespace

// Migrations in gateway/store/sqlite/sqlite_store.cpp: 1 audit log, 2 delivery, 3 consents, 4 cases,
// 5 protected persons, 6 case members and manual items, 7 audit index, 8 retention, 9 SIP plans,
// outbox status withheld, consent organisations, 10 organisations of cases and consents, 11 delivery
// leases, 12 console sessions and sign-in budgets, 13 referral versions and case closure reasons,
// 14 attendance of referrals, 15 referral reports and time limits raised, 16 referrals by status.
const std::string kLatestSchemaVersion = "16";
const std::string kMigrationsRecorded = "16";

TEST_CASE("opening a new file creates the schema in WAL mode and records its version") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  { auto store = open_store(file); }
  CHECK(raw_text(file, "PRAGMA journal_mode") == "wal");
  // 1: audit log; 2: outbox, attempts, feed, referrals, idempotency keys, inbound receipts.
  CHECK(raw_text(file, "SELECT MAX(version) FROM schema_version") == kLatestSchemaVersion);
  CHECK(raw_text(file, "SELECT COUNT(*) FROM sqlite_master WHERE type='index' AND tbl_name='audit_log'") == "2");
}

TEST_CASE("reopening an up-to-date database applies no migration twice") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  { auto store = open_store(file); }
  { auto store = open_store(file); }
  CHECK(raw_text(file, "SELECT COUNT(*) FROM schema_version") == kMigrationsRecorded);
  CHECK(raw_text(file, "SELECT COUNT(DISTINCT version) FROM schema_version") == kMigrationsRecorded);
}

TEST_CASE("a version 1 database (audit log only) is upgraded in place and keeps its records") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  {
    auto store = open_store(file);
    REQUIRE(store->append_audit({record(1), record(2)}).has_value());
  }
  // Back to what a version 1 build left behind.
  REQUIRE(raw_exec(file,
                   "DROP TABLE outbox; DROP TABLE delivery_attempt; DROP TABLE case_event; DROP TABLE referral; "
                   "DROP TABLE idempotency_key; DROP TABLE inbound_receipt; DROP TABLE consent; DROP TABLE case_file; "
                   "DROP TABLE protected_person; DROP TABLE case_member; DROP TABLE manual_item; "
                   "DROP TABLE audit_index; DROP TABLE audit_person; DROP TABLE audit_checkpoint; "
                   "DROP TABLE audit_retention_permit; DROP TABLE sip_plan; DROP TABLE sip_plan_version; "
                   "DROP TABLE sip_reminder; DROP TABLE delivery_lease; DROP TABLE referral_change; "
                   "DELETE FROM schema_version WHERE version >= 2") == SQLITE_OK);
  auto store = open_store(file);
  CHECK(raw_text(file, "SELECT MAX(version) FROM schema_version") == kLatestSchemaVersion);
  CHECK(scan_all(*store).size() == 2);
  CHECK(store->scan_undelivered_messages([](const knutpunkt::OutboxMessage&) { return true; }).has_value());
  CHECK(store->events_after("client-a", 0, 10).has_value());
  CHECK(store->consents_for_person("191212121212").has_value());
  // and its records are indexed for the auditors
  CHECK(store->search_audit(knutpunkt::AuditQuery{}).value().size() == 2);
}

TEST_CASE("a database from a newer schema version is refused") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  { auto store = open_store(file); }
  REQUIRE(raw_exec(file, "INSERT INTO schema_version VALUES (99, 'later')") == SQLITE_OK);
  auto store = open_sqlite_store(file);
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == "schema_too_new");
}

TEST_CASE("a database that cannot be created is an error value, not an exception") {
  auto store = open_sqlite_store("/nonexistent-dir-knutpunkt/x/k.db");
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == "sqlite_open");
}

TEST_CASE("a body is stored as its sorted, compact encoding") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  REQUIRE(store->append_audit({record(1, {{"z", 1}, {"a", {{"y", true}, {"b", nullptr}}}}), record(2)}).has_value());
  CHECK(raw_text(dir.path / "k.db", "SELECT body FROM audit_log WHERE seq = 1") ==
        R"({"a":{"b":null,"y":true},"z":1})");
  // Stored text is the sorted, compact encoding.
  CHECK(raw_text(dir.path / "k.db", "SELECT body FROM audit_log WHERE seq = 2") == R"({"n":1})");
}

TEST_CASE("the audit table refuses UPDATE and DELETE through SQL") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  auto store = open_store(file);
  REQUIRE(store->append_audit({record(1)}).has_value());
  CHECK(raw_exec(file, "UPDATE audit_log SET kind = 'x' WHERE seq = 1") != SQLITE_OK);
  CHECK(raw_exec(file, "DELETE FROM audit_log WHERE seq = 1") != SQLITE_OK);
  CHECK(scan_all(*store).at(0).kind == "lookup");
}

TEST_CASE("a stored body edited into invalid JSON reads back as a discarded value, not an error") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  auto store = open_store(file);
  REQUIRE(store->append_audit({record(1), record(2)}).has_value());
  REQUIRE(raw_exec(file,
                   "DROP TRIGGER audit_log_no_update;"
                   "UPDATE audit_log SET body = '{not json' WHERE seq = 1") == SQLITE_OK);
  const auto all = scan_all(*store);
  REQUIRE(all.size() == 2);
  CHECK(all[0].body.is_discarded());
  CHECK(all[1].body == nlohmann::json{{"n", 1}});
}

namespace {
knutpunkt::CaseRecord case_record(const std::string& client, const std::string& id, const std::string& status,
                                  std::set<std::string> household) {
  return {client,
          id,
          status,
          "Enhet",
          std::move(household),
          "2026-11-01T00:00:00.000Z",
          "",
          "2026-11-01T00:00:00.000Z",
          "org-" + client};
}
std::set<std::string> case_keys(const std::vector<knutpunkt::CaseRecord>& cases) {
  std::set<std::string> keys;
  for (const auto& c : cases) keys.insert(c.client_id + "/" + c.case_id);
  return keys;
}
}  // namespace

TEST_CASE("a version 5 database gets its case members from the households it already has") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  {
    auto store = open_store(file);
    REQUIRE(store->commit({}, {knutpunkt::store_write::PutCase{case_record("a", "EB-1", "open", {"191212121212"})}})
                .has_value());
  }
  // The column first: ALTER TABLE checks the whole schema, and the audit_log trigger of migration
  // 8 names audit_retention_permit.
  REQUIRE(
      raw_exec(file,
               std::string(kUndoReferralVersions) +
                   "DROP INDEX case_file_organisation; ALTER TABLE case_file DROP COLUMN organisation; "
                   "ALTER TABLE consent DROP COLUMN organisation; ALTER TABLE consent DROP COLUMN held_by; "
                   "ALTER TABLE consent DROP COLUMN organisations; "
                   "DROP TABLE case_member; DROP TABLE manual_item; DROP TABLE audit_index; DROP TABLE audit_person; "
                   "DROP TABLE audit_checkpoint; DROP TABLE audit_retention_permit; "
                   "DROP TABLE sip_plan; DROP TABLE sip_plan_version; DROP TABLE sip_reminder; "
                   "DROP TABLE delivery_lease; DROP INDEX outbox_undelivered_key; "
                   "DELETE FROM schema_version WHERE version >= 6") == SQLITE_OK);
  auto store = open_store(file);
  CHECK(case_keys(*store->open_cases_with_member("191212121212")) == std::set<std::string>{"a/EB-1"});
}

TEST_CASE(
    "a version 9 database's cases and consents belong to no organisation until their client registers them again") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  {
    auto store = open_store(file);
    auto legacy = case_record("a", "EB-1", "open", {"191212121212"});
    legacy.organisation.clear();
    knutpunkt::ConsentRecord consent;
    consent.consent_id = "C-1";
    consent.person_id = "191212121212";
    consent.client_id = "a";
    REQUIRE(store->commit({}, {knutpunkt::store_write::PutCase{legacy}, knutpunkt::store_write::PutConsent{consent}})
                .has_value());
  }
  // Back to version 9: the columns of migration 10 removed, its rows kept.
  REQUIRE(raw_exec(file, std::string(kUndoReferralVersions) +
                             "DROP INDEX case_file_organisation; ALTER TABLE case_file DROP COLUMN organisation; "
                             "ALTER TABLE consent DROP COLUMN organisation; ALTER TABLE consent DROP COLUMN held_by; "
                             "DROP TABLE delivery_lease; DROP INDEX outbox_undelivered_key; "
                             "DELETE FROM schema_version WHERE version >= 10") == SQLITE_OK);
  auto store = open_store(file);
  CHECK(raw_text(file, "SELECT MAX(version) FROM schema_version") == kLatestSchemaVersion);
  // No one's: not the empty organisation's, not the client's organisation's.
  CHECK_FALSE(store->case_file("", "EB-1")->has_value());
  CHECK_FALSE(store->case_file("org-a", "EB-1")->has_value());
  CHECK(store->consent("C-1")->value().organisation.empty());
  // The partner's news still finds the case system that registered it.
  CHECK(case_keys(*store->open_cases_with_member("191212121212")) == std::set<std::string>{"a/EB-1"});

  // Registered again by the same client, the case is its organisation's, and only once.
  REQUIRE(store->commit({}, {knutpunkt::store_write::PutCase{case_record("a", "EB-1", "open", {"191212121212"})}})
              .has_value());
  CHECK(store->case_file("org-a", "EB-1")->has_value());
  CHECK(raw_text(file, "SELECT COUNT(*) FROM case_file") == "1");
}

TEST_CASE("a database from before sessions were stored gets them, and a random sign-in key of its own") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  { auto store = open_store(file); }
  REQUIRE(raw_exec(file, std::string(kUndoReferralVersions) +
                             "DROP TABLE console_session; DROP TABLE sign_in_budget; DROP TABLE sign_in_key; "
                             "DELETE FROM schema_version WHERE version >= 12") == SQLITE_OK);
  auto store = open_store(file);
  CHECK(raw_text(file, "SELECT MAX(version) FROM schema_version") == kLatestSchemaVersion);
  CHECK(store->session_count().value() == 0);
  const std::string key = store->sign_in_key().value();
  CHECK(key.size() == 64);
  TempDir other_dir;
  auto other = open_store(other_dir.path / "k.db");
  CHECK(other->sign_in_key().value() != key);
}

TEST_CASE("referrals from before time limits existed have theirs settled, not raised, and new ones are judged") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  const knutpunkt::ReferralRecord old_referral = setback_referral("R-old", knutpunkt::kReferralActive);
  {
    auto store = open_store(file);
    REQUIRE(store->commit({}, {knutpunkt::store_write::PutReferral{old_referral}}).has_value());
  }
  REQUIRE(raw_exec(file,
                   "DROP TABLE referral_report; DROP TABLE referral_reminder; "
                   "DELETE FROM schema_version WHERE version >= 15") == SQLITE_OK);
  auto store = open_store(file);
  CHECK(raw_text(file, "SELECT MAX(version) FROM schema_version") == kLatestSchemaVersion);
  CHECK(store->referral_reminder_raised("R-old", "referral.not_enrolled", "referral").value());
  CHECK(store->referral_reminder_raised("R-old", "referral.first_visit_overdue", "referral").value());
  CHECK(raw_text(file, "SELECT raised_at FROM referral_reminder WHERE referral_id = 'R-old' LIMIT 1").empty());
  CHECK(store->referral_reports("R-old").value().empty());

  knutpunkt::ReferralRecord new_referral = old_referral;
  new_referral.referral_id = "R-new";
  REQUIRE(store->commit({}, {knutpunkt::store_write::PutReferral{new_referral}}).has_value());
  CHECK_FALSE(store->referral_reminder_raised("R-new", "referral.not_enrolled", "referral").value());
}

TEST_CASE("a version 15 database gets the index by status the scans of active referrals read by") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  const auto withdrawn = setback_referral("R-1", knutpunkt::kReferralWithdrawn);
  const auto active = setback_referral("R-2", knutpunkt::kReferralActive);
  {
    auto store = open_store(file);
    REQUIRE(
        store->commit({}, {knutpunkt::store_write::PutReferral{withdrawn}, knutpunkt::store_write::PutReferral{active}})
            .has_value());
  }
  REQUIRE(raw_exec(file, "DROP INDEX referral_status; DELETE FROM schema_version WHERE version >= 16") == SQLITE_OK);
  auto store = open_store(file);
  CHECK(raw_text(file, "SELECT MAX(version) FROM schema_version") == kLatestSchemaVersion);
  CHECK(raw_text(file, "SELECT sql FROM sqlite_master WHERE name = 'referral_status'").find("(status, referral_id)") !=
        std::string::npos);
  // The round's query walks the index, not the table.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "EXPLAIN QUERY PLAN SELECT referral_id FROM referral WHERE status = ?1 AND "
                             "referral_id > ?2 ORDER BY referral_id LIMIT ?3",
                             -1, &s, nullptr) == SQLITE_OK);
  std::string plan;
  while (sqlite3_step(s) == SQLITE_ROW) plan += reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
  sqlite3_finalize(s);
  sqlite3_close(db);
  INFO(plan);
  CHECK(plan.find("referral_status") != std::string::npos);
  const auto page = store->referrals_with_status(knutpunkt::kReferralActive, "", 10).value();
  REQUIRE(page.size() == 1);
  CHECK(page[0].referral_id == "R-2");
}
