// Four-eyes gallring: an admin's request is an audit record, another admin's approval runs it,
// and neither the requester alone, nor an expired or used request, removes anything.
#include "audit_review/retention_approval.h"

#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "audit/audit_verifier.h"
#include "audit_test_support.h"
#include "core/clock.h"

using namespace knutpunkt;
using audit_review::RetentionApprovals;
using audit_test::append_and_wait;

namespace {

using Requested = std::expected<audit_review::RetentionRequest, audit_review::RetentionError>;
using Outcome = std::expected<audit_review::RetentionOutcome, audit_review::RetentionError>;

struct Fixture {
  audit_test::TempDir dir;
  std::unique_ptr<Store> store = audit_test::open_store(dir.path / "k.db");
  std::unique_ptr<AuditLog> log;
  std::unique_ptr<audit_export::SigningKey> key;
  // The approvals' clock: a month on, so what the test records now is past a 30-day floor.
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now() + std::chrono::days{31};
  std::string cutoff;

  Fixture() {
    REQUIRE(audit_export::generate_key_pair(dir.path / "k.pem", dir.path / "k.pub.pem").has_value());
    auto loaded = audit_export::load_signing_key(dir.path / "k.pem");
    REQUIRE(loaded.has_value());
    key = std::make_unique<audit_export::SigningKey>(std::move(*loaded));
    auto opened = AuditLog::open(*store);
    REQUIRE(opened.has_value());
    log = std::move(*opened);
    for (int i = 0; i < 10; ++i) REQUIRE(append_and_wait(*log, "lookup", {{"n", i}}));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cutoff = now_utc();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(append_and_wait(*log, "lookup", {{"n", 10}}));
  }
  ~Fixture() { log->stop(); }

  RetentionApprovals approvals(int retention_days = 30) {
    return RetentionApprovals(*store, *log, *key, retention_days, [this] { return now; });
  }

  int records() {
    int seen = 0;
    REQUIRE(store->scan_audit(1, [&](const AuditRecord&) { return ++seen, true; }));
    return seen;
  }
};

Requested request(RetentionApprovals& approvals, const std::string& before, const std::string& admin) {
  std::promise<Requested> done;
  auto result = done.get_future();
  approvals.request(before, admin, {{"remote_address", "127.0.0.1"}}, [&](auto r) { done.set_value(std::move(r)); });
  return result.get();
}

Outcome approve(RetentionApprovals& approvals, std::int64_t id, const std::string& admin) {
  std::promise<Outcome> done;
  auto result = done.get_future();
  approvals.approve(id, admin, {{"remote_address", "127.0.0.1"}}, [&](auto r) { done.set_value(std::move(r)); });
  return result.get();
}

}  // namespace

TEST_CASE("a retention request is recorded, not run, and its requester cannot approve it") {
  Fixture f;
  auto approvals = f.approvals();
  auto made = request(approvals, f.cutoff, "admin-a");
  REQUIRE(made.has_value());
  CHECK(made->id == 12);  // its own audit record
  CHECK(made->expires_at == format_utc(f.now + std::chrono::hours{24}));
  CHECK(f.records() == 12);  // nothing removed by asking

  auto own = approve(approvals, made->id, "admin-a");
  REQUIRE_FALSE(own.has_value());
  CHECK(own.error().code == "same_admin");
  CHECK(f.records() == 12);
  CHECK_FALSE(*f.store->latest_audit_checkpoint());
}

TEST_CASE("a second admin's approval runs the request once, and both are on record") {
  Fixture f;
  auto approvals = f.approvals();
  auto made = request(approvals, f.cutoff, "admin-a");
  REQUIRE(made.has_value());
  auto ran = approve(approvals, made->id, "admin-b");
  INFO((ran ? std::string() : ran.error().message));
  REQUIRE(ran.has_value());
  CHECK(ran->removed_records == 10);

  std::map<std::string, nlohmann::json> bodies;
  REQUIRE(f.store->scan_audit(1, [&](const AuditRecord& r) { return bodies[r.kind] = r.body, true; }));
  REQUIRE(bodies.contains("audit.retention_requested"));
  CHECK(bodies["audit.retention_requested"]["requested_by"] == "admin-a");
  REQUIRE(bodies.contains("audit.retention_approved"));
  CHECK(bodies["audit.retention_approved"]["approved_by"] == "admin-b");
  CHECK(bodies["audit.retention_approved"]["request_seq"] == made->id);
  REQUIRE(bodies.contains("audit.retention_applied"));
  CHECK(bodies["audit.retention_applied"]["by"] == "admin-b");
  CHECK(bodies["audit.retention_applied"]["requested_by"] == "admin-a");
  CHECK(bodies["audit.retention_applied"]["request_seq"] == made->id);

  // Used: a third admin cannot run it again.
  auto again = approve(approvals, made->id, "admin-c");
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == "already_approved");
  auto report = verify_chain(*f.store);
  REQUIRE(report.has_value());
  CHECK(report->intact());
}

TEST_CASE("an expired retention request is refused and removes nothing") {
  Fixture f;
  auto approvals = f.approvals();
  auto made = request(approvals, f.cutoff, "admin-a");
  REQUIRE(made.has_value());
  f.now += std::chrono::hours{24};
  auto late = approve(approvals, made->id, "admin-b");
  REQUIRE_FALSE(late.has_value());
  CHECK(late.error().code == "expired");
  CHECK(f.records() == 12);
}

TEST_CASE("a request beyond the retention floor, or under retention_days 0, is refused before it is recorded") {
  Fixture f;
  auto approvals = f.approvals();
  const std::string too_late = format_utc(f.now - std::chrono::days{29});
  auto refused = request(approvals, too_late, "admin-a");
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == "after_retention_floor");
  auto kept = f.approvals(0);
  auto never = request(kept, f.cutoff, "admin-a");
  REQUIRE_FALSE(never.has_value());
  CHECK(never.error().code == "kept_for_ever");
  CHECK(f.records() == 11);
}

TEST_CASE("only a retention request's seq is a request id") {
  Fixture f;
  auto approvals = f.approvals();
  CHECK(approve(approvals, 3, "admin-b").error().code == "not_found");   // a lookup's record
  CHECK(approve(approvals, 99, "admin-b").error().code == "not_found");  // beyond the head
}
