// AuditLog::append with writes: the record and its writes commit in one transaction.
#include <catch2/catch.hpp>
#include <future>

#include "audit/audit_log.h"
#include "audit/audit_verifier.h"
#include "audit_test_support.h"
#include "forwarding_store.h"

using namespace audit_test;
using knutpunkt::AuditLog;
using knutpunkt::AuditReceipt;
using knutpunkt::AuditRecord;
using knutpunkt::IdempotencyRecord;
using knutpunkt::StoreError;
using knutpunkt::StoreWrite;
namespace store_write = knutpunkt::store_write;

namespace {

std::expected<AuditReceipt, StoreError> append_with_writes(AuditLog& log, std::string kind, nlohmann::json body,
                                                           std::vector<StoreWrite> writes) {
  std::promise<std::expected<AuditReceipt, StoreError>> done;
  auto outcome = done.get_future();
  log.append(std::move(kind), std::move(body), std::move(writes),
             [&done](auto result) { done.set_value(std::move(result)); });
  return outcome.get();
}

StoreWrite idempotency_key(const std::string& client, const std::string& key, int status) {
  return store_write::PutIdempotency{
      IdempotencyRecord{client, key, "hash-" + key, status, "{}", "2026-01-01T00:00:00Z"}};
}

std::size_t audit_count(knutpunkt::Store& store) {
  std::size_t n = 0;
  REQUIRE(store
              .scan_audit(1,
                          [&](const AuditRecord&) {
                            ++n;
                            return true;
                          })
              .has_value());
  return n;
}

}  // namespace

TEST_CASE("a record appended with writes makes both durable, readable after the callback") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  auto receipt = append_with_writes(**log, "referral.accepted", {{"referral_id", "R-1"}},
                                    {idempotency_key("client-a", "key-1", 201)});
  REQUIRE(receipt.has_value());
  CHECK(receipt->seq == 1);
  auto stored = store->idempotency("client-a", "key-1");
  REQUIRE(stored.has_value());
  REQUIRE(stored->has_value());
  CHECK((*stored)->http_status == 201);
  CHECK(audit_count(*store) == 1);
}

TEST_CASE("a write the store refuses fails its record too: neither the record nor the write is stored") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  REQUIRE(append_with_writes(**log, "first", {{"n", 1}}, {idempotency_key("client-a", "dup", 201)}).has_value());

  // The same (client, key) again violates the primary key; the inbound receipt beside it must
  // not survive either.
  auto refused = append_with_writes(**log, "second", {{"n", 2}},
                                    {store_write::PutInboundReceipt{"jobbtorg", "msg-1", "R-1", "2026-01-01T00:00:00Z"},
                                     idempotency_key("client-a", "dup", 409)});
  REQUIRE_FALSE(refused.has_value());
  CHECK(audit_count(*store) == 1);
  auto seen = store->inbound_seen("jobbtorg", "msg-1");
  REQUIRE(seen.has_value());
  CHECK_FALSE(*seen);
  CHECK((*store->idempotency("client-a", "dup"))->http_status == 201);

  // The chain head did not move: the next record continues from seq 1.
  auto next = append_with_writes(**log, "third", {{"n", 3}}, {});
  REQUIRE(next.has_value());
  CHECK(next->seq == 2);
  (*log)->stop();
  auto report = knutpunkt::verify_chain(*store);
  REQUIRE(report.has_value());
  CHECK(report->intact());
}

namespace {

// Commits for real, then reports an I/O error: what a late-reported failure looks like.
class LateErrorStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::expected<void, StoreError> commit_sealed(std::vector<knutpunkt::CommitEntry>& entries,
                                                const knutpunkt::AuditSeal& seal) override {
    auto landed = ForwardingStore::commit_sealed(entries, seal);
    if (!landed) return landed;
    return std::unexpected(StoreError{"sqlite_error", "commit: disk I/O error (reported after the data landed)"});
  }
};

}  // namespace

TEST_CASE("a commit that lands but reports an error is reported durable, so nobody retries what is stored") {
  TempDir dir;
  auto real = open_store(dir.path / "k.db");
  LateErrorStore store(*real);
  auto log = AuditLog::open(store);
  REQUIRE(log.has_value());
  auto first = append_with_writes(**log, "referral.accepted", {{"n", 1}}, {idempotency_key("client-a", "key-1", 202)});
  REQUIRE(first.has_value());
  CHECK(first->seq == 1);
  auto second = append_with_writes(**log, "referral.accepted", {{"n", 2}}, {});
  REQUIRE(second.has_value());
  CHECK(second->seq == 2);
  CHECK(audit_count(*real) == 2);
  CHECK(knutpunkt::verify_chain(*real)->intact());
}

namespace {

// Commits for real, then another instance appends to the same chain before the error reaches
// this writer: the batch is no longer the chain's tip when the writer looks for it.
class LateErrorAfterOthersAppend final : public ForwardingStore {
 public:
  LateErrorAfterOthersAppend(knutpunkt::Store& inner, AuditLog& other) : ForwardingStore(inner), other_(other) {}
  std::expected<void, StoreError> commit_sealed(std::vector<knutpunkt::CommitEntry>& entries,
                                                const knutpunkt::AuditSeal& seal) override {
    auto landed = ForwardingStore::commit_sealed(entries, seal);
    if (!landed) return landed;
    REQUIRE(append_with_writes(other_, "referral.accepted", {{"by", "other instance"}}, {}).has_value());
    return std::unexpected(StoreError{"postgresql_unavailable", "server closed the connection during COMMIT"});
  }

 private:
  AuditLog& other_;
};

}  // namespace

TEST_CASE("a commit that lands and reports an error is reported durable though another writer appended after it") {
  TempDir dir;
  auto real = open_store(dir.path / "k.db");
  auto second_connection = open_store(dir.path / "k.db");
  auto other = AuditLog::open(*second_connection);
  REQUIRE(other.has_value());
  LateErrorAfterOthersAppend store(*real, **other);
  auto log = AuditLog::open(store);
  REQUIRE(log.has_value());

  auto receipt =
      append_with_writes(**log, "referral.accepted", {{"n", 1}}, {idempotency_key("client-a", "key-1", 202)});
  REQUIRE(receipt.has_value());
  CHECK(receipt->seq == 1);
  (*other)->stop();
  CHECK(audit_count(*real) == 2);
  CHECK(knutpunkt::verify_chain(*real)->intact());
}
