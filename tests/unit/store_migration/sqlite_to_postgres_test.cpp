// A SQLite store with something of every kind in it, copied into an empty PostgreSQL database
// and read back through both stores: the chain verifies with the same tip, and every read gives
// the same answer. Feed cursors and acceptance order carry over, so a case system reading the feed
// and the delivery engine go on where they were.
#include "store_migration/sqlite_to_postgres.h"

#include <sqlite3.h>

#include <filesystem>
#include <future>

#include "audit/audit_log.h"
#include "audit/audit_verifier.h"
#include "pg_test_database.h"
#include "store/sqlite/sqlite_store.h"
#include "temp_dir.h"

using namespace knutpunkt;
using namespace knutpunkt::test_postgres;

namespace {

using knutpunkt::test_support::TempDir;

void append(AuditLog& log, std::string kind, nlohmann::json body, std::vector<StoreWrite> writes) {
  std::promise<std::expected<AuditReceipt, StoreError>> done;
  auto outcome = done.get_future();
  log.append(std::move(kind), std::move(body), std::move(writes), [&](auto r) { done.set_value(std::move(r)); });
  auto receipt = outcome.get();
  INFO((receipt ? std::string() : receipt.error().message));
  REQUIRE(receipt.has_value());
}

SipPlanRecord plan(int version, std::string status) {
  SipPlanRecord p;
  p.plan_id = "P-1";
  p.client_id = "client-a";
  p.case_id = "EB-1";
  p.person_id = "191212121212";
  p.consent_id = "C-1";
  p.status = std::move(status);
  p.version = version;
  p.initiated_at = "2026-11-01T08:00:00.000Z";
  p.updated_at = "2026-11-0" + std::to_string(version) + "T08:00:00.000Z";
  p.followup_due = version > 1 ? "2027-01-15" : "";
  p.plan = {{"version", version}, {"goal", "Stöd i vardagen"}};
  return p;
}

// Something of every kind, through the audit log as the gateway writes it.
OutboxMessage populate(Store& store) {
  auto log = AuditLog::open(store);
  REQUIRE(log.has_value());
  CaseRecord c{"client-a",
               "EB-1",
               "open",
               "Farsta",
               {"191212121212", "197010632391"},
               "2026-11-01T08:00:00.000Z",
               "",
               "2026-11-01T08:00:00.000Z",
               "org-a"};
  append(**log, "case.registered", {{"case_id", "EB-1"}, {"person_ids", {"191212121212"}}}, {store_write::PutCase{c}});
  ConsentRecord consent;
  consent.consent_id = "C-1";
  consent.person_id = "191212121212";
  consent.id_kind = "personnummer";
  consent.partner = "region-stockholm";
  consent.information_types = {"SIP"};
  consent.given_at = "2026-11-01";
  consent.expires_at = "2027-05-01";
  consent.document_reference = "SAM-1";
  consent.case_id = "EB-1";
  consent.client_id = "client-a";
  consent.recorded_at = "2026-11-01T08:00:00.000Z";
  consent.organisations = {"region-stockholm"};
  append(**log, "consent.recorded", {{"consent_id", "C-1"}}, {store_write::PutConsent{consent}});
  append(**log, "sip.initiated", {{"plan_id", "P-1"}}, {store_write::PutSipPlan{plan(1, "initiated")}});
  append(**log, "sip.established", {{"plan_id", "P-1"}},
         {store_write::PutSipPlan{plan(2, "established")},
          store_write::PutSipReminder{"P-1", "followup_due", "2027-01-15", "2026-11-02T08:00:00.000Z"}});
  ReferralReportRecord enrolled;
  enrolled.referral_id = "R-1";
  enrolled.partner = "jobbtorg-sodra";
  enrolled.partner_message_id = "M-9";
  enrolled.report_type = "INSKRIVNING";
  enrolled.planned_followup = "2027-01-15";
  enrolled.received_at = "2026-11-03T08:00:00.000Z";
  append(**log, "referral.report_received", {{"referral_id", "R-1"}},
         {store_write::PutReferralReport{enrolled},
          store_write::PutReferralReminder{"R-1", "referral.first_visit_overdue", "referral",
                                           "2026-11-16T08:00:00.000Z"}});
  OutboxMessage m = new_outbox_message({.destination = "jobbtorg-sodra",
                                        .type = "referral.requested",
                                        .ordering_key = "R-1",
                                        .client_id = "client-a",
                                        .case_id = "EB-1",
                                        .payload = {{"referral_id", "R-1"}}},
                                       1'700'000'000'000);
  ReferralRecord referral{"R-1",
                          "client-a",
                          "EB-1",
                          "jobbtorg-sodra",
                          "191212121212",
                          false,
                          "2026-11-03T08:00:00.000Z",
                          {{"referral_id", "R-1"}}};
  append(**log, "referral.accepted", {{"referral_id", "R-1"}},
         {store_write::EnqueueMessage{m}, store_write::PutReferral{referral},
          store_write::PutIdempotency{IdempotencyRecord{"client-a", "key-1", "hash", 202, "{\"status\":\"accepted\"}",
                                                        "2026-11-03T08:00:00.000Z"}}});
  DeliveryAttempt attempt{m.id, 1, 1'700'000'001'000, "https://jobbtorg.example/api/v1", 503, 12, "retry", "http_503"};
  append(**log, "delivery.attempt", {{"message_id", m.id}},
         {store_write::RecordAttempt{attempt, MessageStatus::pending, 1'700'000'060'000, "http_503"}});
  for (int i = 0; i < 3; ++i) {
    append(
        **log, "report.received", {{"meddelande_id", "M-" + std::to_string(i)}},
        {store_write::PutInboundReceipt{"jobbtorg-sodra", "M-" + std::to_string(i), "R-1", "2026-11-04T08:00:00.000Z"},
         store_write::AppendEvent{"E-" + std::to_string(i),
                                  "client-a",
                                  "EB-1",
                                  "R-1",
                                  "referral.enrolled",
                                  {{"event_id", "E-" + std::to_string(i)}}}});
  }
  append(**log, "manual.held", {{"item_id", "I-1"}},
         {store_write::PutManualItem{ManualItem{"I-1", "referral", "R-2", "client-a", "EB-1", "jobbtorg-sodra",
                                                "protected_identity", "2026-11-05T08:00:00.000Z", "open", "", "", ""}},
          store_write::RememberProtected{"197010632391", "ssbtek/FK", "2026-11-05T08:00:00.000Z"}});
  (*log)->stop();
  return m;
}

}  // namespace

TEST_CASE("a SQLite store is copied whole into PostgreSQL: the chain verifies to the same tip, every read agrees") {
  TempDir dir;
  auto source = open_sqlite_store(dir.path / "k.db");
  REQUIRE(source.has_value());
  const OutboxMessage message = populate(**source);
  const auto source_report = verify_chain(**source);
  REQUIRE(source_report.has_value());

  const std::string connection = fresh_database();
  auto copied = store_migration::copy_sqlite_to_postgres(dir.path / "k.db", PostgresSettings{connection, {}, 2});
  INFO((copied ? std::string() : copied.error().code + ": " + copied.error().message));
  REQUIRE(copied.has_value());
  CHECK(copied->audit_records == source_report->records);
  CHECK(copied->head_seq == source_report->head_seq);
  CHECK(copied->head_hash == source_report->head_hash);
  CHECK(copied->rows.at("case_event") == 3);
  CHECK(copied->rows.at("sip_plan_version") == 2);

  auto target = open_store(connection);
  Store& a = **source;
  Store& b = *target;
  const auto report = verify_chain(b);
  REQUIRE(report.has_value());
  CHECK(report->intact());
  CHECK(report->head_hash == source_report->head_hash);

  // Feed cursors held by case systems still mean the same events.
  const auto events_a = a.events_after("client-a", 1, 10).value();
  const auto events_b = b.events_after("client-a", 1, 10).value();
  REQUIRE(events_b.size() == 2);
  for (std::size_t i = 0; i < events_a.size(); ++i) {
    CHECK(events_b[i].seq == events_a[i].seq);
    CHECK(events_b[i].event_id == events_a[i].event_id);
    CHECK(events_b[i].envelope == events_a[i].envelope);
  }
  const auto m_a = a.message(message.id).value();
  const auto m_b = b.message(message.id).value();
  REQUIRE(m_b.has_value());
  CHECK(m_b->position == m_a->position);
  CHECK(m_b->attempts == 1);
  CHECK(m_b->next_attempt_at_ms == m_a->next_attempt_at_ms);
  CHECK(m_b->payload == m_a->payload);
  CHECK(b.attempts(message.id).value().size() == 1);
  CHECK(b.referral("R-1").value()->person_id == "191212121212");
  CHECK(b.idempotency("client-a", "key-1").value()->response_body == "{\"status\":\"accepted\"}");
  CHECK(b.inbound_seen("jobbtorg-sodra", "M-2").value());
  CHECK(b.consent("C-1").value()->organisations == std::set<std::string>{"region-stockholm"});
  CHECK(b.case_file("org-a", "EB-1").value()->household == a.case_file("org-a", "EB-1").value()->household);
  CHECK(b.open_cases_with_member("197010632391").value().size() == 1);
  CHECK(b.is_protected("197010632391").value());
  CHECK(b.manual_items("open", "", "", 10).value().size() == 1);
  CHECK(b.sip_plan("P-1").value()->version == 2);
  CHECK(b.sip_plan_version("P-1", 1).value() == a.sip_plan_version("P-1", 1).value());
  CHECK(b.sip_reminder_raised("P-1", "followup_due", "2027-01-15").value());
  const auto reports = b.referral_reports("R-1").value();
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].report_type == "INSKRIVNING");
  CHECK(reports[0].planned_followup == "2027-01-15");
  CHECK(b.referral_reminder_raised("R-1", "referral.first_visit_overdue", "referral").value());
  // The auditors' index was rebuilt from the copied records: a search by person agrees.
  AuditQuery by_person;
  by_person.person_id = "191212121212";
  CHECK(b.search_audit(by_person).value().size() == a.search_audit(by_person).value().size());

  // What the gateway appends next on the target follows the copied tip and the copied feed.
  auto log = AuditLog::open(b);
  REQUIRE(log.has_value());
  append(**log, "report.received", {{"meddelande_id", "M-9"}},
         {store_write::AppendEvent{"E-9", "client-a", "EB-1", "R-1", "referral.ended", {{"event_id", "E-9"}}}});
  (*log)->stop();
  CHECK(b.events_after("client-a", events_a.back().seq, 10).value().at(0).event_id == "E-9");
  CHECK(verify_chain(b).value().intact());
}

TEST_CASE("a target that holds data is refused, and left as it was") {
  TempDir dir;
  auto source = open_sqlite_store(dir.path / "k.db");
  REQUIRE(source.has_value());
  populate(**source);
  const std::string connection = fresh_database();
  REQUIRE(store_migration::copy_sqlite_to_postgres(dir.path / "k.db", PostgresSettings{connection, {}, 2}));
  const std::string before = sql(connection, "SELECT COUNT(*) FROM audit_log");

  auto again = store_migration::copy_sqlite_to_postgres(dir.path / "k.db", PostgresSettings{connection, {}, 2});
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == "target_not_empty");
  CHECK(sql(connection, "SELECT COUNT(*) FROM audit_log") == before);
}

TEST_CASE("a source table the copy has no rule for is refused before anything is written") {
  TempDir dir;
  {
    auto source = open_sqlite_store(dir.path / "k.db");
    REQUIRE(source.has_value());
    populate(**source);
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir.path / "k.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE added_later (x TEXT)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  const std::string connection = fresh_database();
  auto copied = store_migration::copy_sqlite_to_postgres(dir.path / "k.db", PostgresSettings{connection, {}, 2});
  REQUIRE_FALSE(copied.has_value());
  CHECK(copied.error().code == "unknown_table");
  CHECK(copied.error().message.find("added_later") != std::string::npos);
  // Nothing was written: not even the schema was created.
  CHECK(sql(connection, "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'audit_log'") == "0");
}
