// Retention (gallring): what remains after old records are removed still verifies, across a
// signed checkpoint; tampering after retention is still found; exports of what remains verify.
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "audit/audit_verifier.h"
#include "audit_export/audit_exporter.h"
#include "audit_export/export_verifier.h"
#include "audit_review/retention.h"
#include "audit_test_support.h"
#include "core/clock.h"

using namespace knutpunkt;
using audit_test::append_and_wait;

namespace {

using Outcome = std::expected<audit_review::RetentionOutcome, audit_review::RetentionError>;

// Retention as it runs `days_later` days from now with audit.retention_days `retention_days`:
// what was recorded now is then older than the floor when days_later > retention_days.
Outcome retain_at(Store& store, AuditLog& log, const audit_export::SigningKey& key, const std::string& cutoff,
                  int retention_days, int days_later) {
  std::promise<Outcome> done;
  auto result = done.get_future();
  const auto then = std::chrono::system_clock::now() + std::chrono::days{days_later};
  audit_review::apply_retention(store, log, key, cutoff, retention_days, then,
                                audit_review::RetentionMandate{"test", 0, "", 0},
                                [&](auto outcome) { done.set_value(std::move(outcome)); });
  return result.get();
}

// A run a month on, with a 30-day retention: the seeded records are past the floor.
Outcome retain(Store& store, AuditLog& log, const audit_export::SigningKey& key, const std::string& cutoff) {
  return retain_at(store, log, key, cutoff, 30, 31);
}

// Loaded into memory; the files go with their temporary folder.
struct Keys {
  audit_export::SigningKey signing;
  audit_export::VerifyingKey verifying;
};

std::unique_ptr<Keys> make_keys() {
  audit_test::TempDir dir;
  REQUIRE(audit_export::generate_key_pair(dir.path / "k.pem", dir.path / "k.pub.pem").has_value());
  auto signing = audit_export::load_signing_key(dir.path / "k.pem");
  auto verifying = audit_export::load_verifying_key(dir.path / "k.pub.pem");
  REQUIRE(signing.has_value());
  REQUIRE(verifying.has_value());
  return std::unique_ptr<Keys>(new Keys{std::move(*signing), std::move(*verifying)});
}

// Ten old records, then the cut-off, then five new ones.
std::string seed(AuditLog& log) {
  for (int i = 0; i < 10; ++i) REQUIRE(append_and_wait(log, "lookup", {{"n", i}, {"person", {{"id", "191212121212"}}}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string cutoff = now_utc();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (int i = 10; i < 15; ++i) REQUIRE(append_and_wait(log, "lookup", {{"n", i}}));
  return cutoff;
}

}  // namespace

TEST_CASE("retention removes what is older than the cut-off and what remains verifies across a signed checkpoint") {
  audit_test::TempDir dir;
  auto keys = make_keys();
  auto store = audit_test::open_store(dir.path / "k.db");
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  const std::string cutoff = seed(**log);

  auto outcome = retain(*store, **log, keys->signing, cutoff);
  REQUIRE(outcome.has_value());
  CHECK(outcome->removed_records == 10);
  CHECK(outcome->checkpoint.through_seq == 10);
  CHECK(outcome->audit.seq == 16);  // the removal is itself in the chain

  auto report = verify_chain(*store);
  REQUIRE(report.has_value());
  INFO((report->first_problem ? report->first_problem->detail : ""));
  CHECK(report->intact());
  CHECK(report->records == 6);  // five new records and the retention record
  REQUIRE(report->checkpoint.has_value());
  CHECK(audit_review::checkpoint_signature_valid(*report->checkpoint, keys->verifying));
  auto other = make_keys();
  CHECK_FALSE(audit_review::checkpoint_signature_valid(*report->checkpoint, other->verifying));

  // Nothing old is left in the log or in the index.
  int seen = 0;
  REQUIRE(store->scan_audit(1, [&](const AuditRecord& r) {
    CHECK(r.seq > 10);
    ++seen;
    return true;
  }));
  CHECK(seen == 6);
  AuditQuery by_person;
  by_person.person_id = "191212121212";
  CHECK(store->search_audit(by_person)->empty());

  // A second run with the same cut-off finds nothing more; a later one carries the chain on.
  auto again = retain(*store, **log, keys->signing, cutoff);
  REQUIRE(again.has_value());
  CHECK(again->removed_records == 0);
  auto later = retain(*store, **log, keys->signing, now_utc());
  REQUIRE(later.has_value());
  CHECK(later->removed_records == 5);  // 11 to 15; the head (the first run's record, 16) stays
  auto after = verify_chain(*store);
  REQUIRE(after.has_value());
  CHECK(after->intact());
  CHECK(after->checkpoint->through_seq == later->checkpoint.through_seq);
  (*log)->stop();
}

TEST_CASE("after retention a changed or removed record, and a forged checkpoint, are still found") {
  audit_test::TempDir dir;
  auto keys = make_keys();
  const auto file = dir.path / "k.db";
  {
    auto store = audit_test::open_store(file);
    auto log = AuditLog::open(*store);
    REQUIRE(log.has_value());
    const std::string cutoff = seed(**log);
    REQUIRE(retain(*store, **log, keys->signing, cutoff).has_value());
    (*log)->stop();
  }
  SECTION("the first remaining record's content changed") {
    audit_test::tamper(file, "UPDATE audit_log SET body = replace(body, '\"n\":10', '\"n\":99') WHERE seq = 11;");
    auto store = audit_test::open_store(file);
    auto report = verify_chain(*store);
    REQUIRE(report.has_value());
    REQUIRE(report->first_problem.has_value());
    CHECK(report->first_problem->seq == 11);
  }
  SECTION("a remaining record removed") {
    audit_test::tamper(file, "DELETE FROM audit_log WHERE seq = 12;");
    auto store = audit_test::open_store(file);
    auto report = verify_chain(*store);
    REQUIRE(report->first_problem.has_value());
    CHECK(report->first_problem->problem == "removed");
  }
  SECTION(
      "the checkpoint moved forward to hide removed records: its signature and its retention record no longer hold") {
    audit_test::tamper(file,
                       "DELETE FROM audit_log WHERE seq IN (11, 12); "
                       "UPDATE audit_checkpoint SET through_seq = 12, "
                       "through_hash = (SELECT prev_hash FROM audit_log WHERE seq = 13);");
    auto store = audit_test::open_store(file);
    auto report = verify_chain(*store);
    REQUIRE(report.has_value());
    // The links fit, but the retention record in the chain says the checkpoint ends at 10...
    REQUIRE(report->first_problem.has_value());
    CHECK(report->first_problem->problem == "removed");
    CHECK(report->first_problem->seq == 13);
    REQUIRE(report->checkpoint.has_value());
    CHECK_FALSE(audit_review::checkpoint_signature_valid(*report->checkpoint, keys->verifying));  // ...and the key
  }
  SECTION("deleting outside a retention run is still refused by the store") {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM audit_log WHERE seq = 13", nullptr, nullptr, nullptr) != SQLITE_OK);
    sqlite3_close(db);
  }
}

TEST_CASE("an export of what remains after retention verifies offline") {
  audit_test::TempDir dir;
  auto keys = make_keys();
  auto store = audit_test::open_store(dir.path / "k.db");
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  const std::string cutoff = seed(**log);
  REQUIRE(retain(*store, **log, keys->signing, cutoff).has_value());
  (*log)->stop();

  audit_export::ExportRequest request;
  request.out = dir.path / "export.jsonl";
  request.exported_by = "test";
  request.gateway_instance = "test";
  auto manifest = audit_export::export_audit(*store, request, keys->signing);
  INFO((manifest ? std::string() : manifest.error().message));
  REQUIRE(manifest.has_value());
  CHECK(manifest->first_seq == 11);
  CHECK(manifest->record_count == 6);
  auto verified = audit_export::verify_export(request.out, audit_export::manifest_path_for(request.out), keys->verifying);
  REQUIRE(verified.has_value());
  CHECK(verified->intact());

  request.out = dir.path / "early.jsonl";
  request.from_seq = 3;
  auto refused = audit_export::export_audit(*store, request, keys->signing);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().field == "from-seq");
}

TEST_CASE("with retention_days 0 retention removes nothing, whatever the cut-off") {
  audit_test::TempDir dir;
  auto keys = make_keys();
  auto store = audit_test::open_store(dir.path / "k.db");
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  seed(**log);
  // A cut-off far beyond everything recorded, a century on.
  const std::string far = format_utc(std::chrono::system_clock::now() + std::chrono::days{36500});
  auto outcome = retain_at(*store, **log, keys->signing, far, 0, 36501);
  REQUIRE_FALSE(outcome.has_value());
  CHECK(outcome.error().code == "kept_for_ever");
  int seen = 0;
  REQUIRE(store->scan_audit(1, [&](const AuditRecord&) { return ++seen, true; }));
  CHECK(seen == 15);
  CHECK_FALSE(*store->latest_audit_checkpoint());
  (*log)->stop();
}

TEST_CASE("a cut-off later than now minus retention_days is refused and nothing younger than the floor goes") {
  audit_test::TempDir dir;
  auto keys = make_keys();
  auto store = audit_test::open_store(dir.path / "k.db");
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  const std::string cutoff = seed(**log);
  // Today, with 30 days' retention: the cut-off (just now) is younger than the floor.
  auto refused = retain_at(*store, **log, keys->signing, cutoff, 30, 0);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == "after_retention_floor");
  // 29 days on it still is.
  CHECK(retain_at(*store, **log, keys->signing, cutoff, 30, 29).error().code == "after_retention_floor");
  int seen = 0;
  REQUIRE(store->scan_audit(1, [&](const AuditRecord&) { return ++seen, true; }));
  CHECK(seen == 15);
  // 31 days on the same cut-off is allowed.
  auto allowed = retain_at(*store, **log, keys->signing, cutoff, 30, 31);
  REQUIRE(allowed.has_value());
  CHECK(allowed->removed_records == 10);
  (*log)->stop();
}

TEST_CASE("the verifier names the range retention removed, its cut-off, when and on whose request and approval") {
  audit_test::TempDir dir;
  auto keys = make_keys();
  auto store = audit_test::open_store(dir.path / "k.db");
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  const std::string cutoff = seed(**log);
  std::promise<Outcome> done;
  auto result = done.get_future();
  audit_review::apply_retention(*store, **log, keys->signing, cutoff, 30,
                                std::chrono::system_clock::now() + std::chrono::days{31},
                                audit_review::RetentionMandate{"admin-b", 4, "admin-a", 9},
                                [&](auto outcome) { done.set_value(std::move(outcome)); });
  auto outcome = result.get();
  REQUIRE(outcome.has_value());

  auto report = verify_chain(*store);
  REQUIRE(report.has_value());
  CHECK(report->intact());
  REQUIRE(report->weeded.size() == 1);
  const auto& w = report->weeded.front();
  CHECK(w.from_seq == 1);
  CHECK(w.through_seq == 10);
  CHECK(w.removed_records == 10);
  CHECK(w.removed_before == cutoff);
  CHECK_FALSE(w.last_removed_at.empty());
  CHECK(w.last_removed_at < cutoff);
  CHECK(w.record_seq == outcome->audit.seq);
  CHECK(w.weeded_at == outcome->audit.recorded_at);
  CHECK(w.by == "admin-b");
  CHECK(w.request_seq == 4);
  CHECK(w.requested_by == "admin-a");
  CHECK(w.approval_seq == 9);
  const auto shown = to_json(w);
  CHECK(shown["request"]["by"] == "admin-a");
  CHECK(shown["from_seq"] == 1);
  (*log)->stop();
}
