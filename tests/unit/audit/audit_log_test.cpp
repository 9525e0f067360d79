#include "audit/audit_log.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <set>
#include <thread>

#include "audit/audit_chain.h"
#include "audit/audit_verifier.h"
#include "audit_test_support.h"
#include "forwarding_store.h"

using namespace audit_test;
using knutpunkt::AuditLog;
using knutpunkt::AuditReceipt;
using knutpunkt::AuditRecord;
using knutpunkt::StoreError;

namespace {

std::vector<AuditRecord> scan_all(knutpunkt::Store& store) {
  std::vector<AuditRecord> out;
  REQUIRE(store
              .scan_audit(1,
                          [&](const AuditRecord& r) {
                            out.push_back(r);
                            return true;
                          })
              .has_value());
  return out;
}

// Delegates to a real store but fails every commit while `failing` is set.
class SwitchableStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> failing{false};
  std::expected<void, StoreError> commit_sealed(std::vector<knutpunkt::CommitEntry>& entries,
                                                const knutpunkt::AuditSeal& seal) override {
    if (failing) return std::unexpected(StoreError{"sqlite_error", "disk I/O error (simulated)"});
    return inner_.commit_sealed(entries, seal);
  }
};

// Holds every commit until released, so that callers can queue up behind one commit.
class GatedStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  void release() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  // Returns once the writer is held at the gate with its first batch.
  void wait_until_held() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return held_ > 0; });
  }
  std::expected<void, StoreError> commit_sealed(std::vector<knutpunkt::CommitEntry>& entries,
                                                const knutpunkt::AuditSeal& seal) override {
    std::unique_lock lock(mutex_);
    ++held_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    return inner_.commit_sealed(entries, seal);
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
  int held_ = 0;
};

}  // namespace

TEST_CASE("appended records get consecutive seqs from 1, linked by hash from the genesis hash") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  auto first = append_and_wait(**log, "lookup", {{"case", "C-1"}});
  auto second = append_and_wait(**log, "referral.sent", {{"case", "C-2"}});
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(first->seq == 1);
  CHECK(second->seq == 2);

  const auto records = scan_all(*store);
  REQUIRE(records.size() == 2);
  CHECK(records[0].prev_hash == knutpunkt::genesis_hash());
  CHECK(records[0].hash == first->hash);
  CHECK(records[1].prev_hash == first->hash);
  CHECK(records[1].hash == *knutpunkt::record_hash(records[1]));
  CHECK(records[1].kind == "referral.sent");
  CHECK(records[1].recorded_at == second->recorded_at);
  CHECK(records[1].recorded_at.size() == std::string("2025-06-15T10:00:00.123Z").size());
}

TEST_CASE("a reopened log continues the chain from the stored head") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  {
    auto store = open_store(file);
    write_chain(*store, 3);
  }
  auto store = open_store(file);
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  auto next = append_and_wait(**log, "lookup", {{"n", 4}});
  REQUIRE(next.has_value());
  CHECK(next->seq == 4);
  (*log)->stop();
  auto report = knutpunkt::verify_chain(*store);
  REQUIRE(report.has_value());
  CHECK(report->intact());
  CHECK(report->records == 4);
}

TEST_CASE("a body with a float is refused alone; the rest of its batch is committed") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  GatedStore gated(*store);
  auto log = AuditLog::open(gated);
  REQUIRE(log.has_value());
  // The first append occupies the writer; the next three queue into one batch.
  std::promise<void> p0;
  std::promise<std::expected<AuditReceipt, StoreError>> p1, p2, p3;
  (*log)->append("lookup", {{"n", 0}}, [&](auto) { p0.set_value(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  (*log)->append("lookup", {{"n", 1}}, [&](auto r) { p1.set_value(std::move(r)); });
  (*log)->append("lookup", {{"amount", 12.5}}, [&](auto r) { p2.set_value(std::move(r)); });
  (*log)->append("lookup", {{"n", 3}}, [&](auto r) { p3.set_value(std::move(r)); });
  gated.release();
  p0.get_future().get();
  auto r1 = p1.get_future().get();
  auto r2 = p2.get_future().get();
  auto r3 = p3.get_future().get();
  REQUIRE(r1.has_value());
  REQUIRE_FALSE(r2.has_value());
  CHECK(r2.error().code == "non_canonical_body");
  REQUIRE(r3.has_value());
  CHECK(r1->seq == 2);
  CHECK(r3->seq == 3);
  (*log)->stop();
  auto report = knutpunkt::verify_chain(*store);
  REQUIRE(report.has_value());
  CHECK(report->intact());
  CHECK(report->records == 3);
}

TEST_CASE("many threads appending get distinct consecutive seqs, committed in fewer transactions than records") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 250;
  std::mutex mutex;
  std::vector<std::int64_t> seqs;
  std::vector<std::string> errors;
  std::atomic<int> outstanding{kThreads * kPerThread};
  std::promise<void> all_done;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          (*log)->append("lookup", {{"thread", t}, {"i", i}}, [&](std::expected<AuditReceipt, StoreError> r) {
            {
              std::lock_guard lock(mutex);
              if (r) {
                seqs.push_back(r->seq);
              } else {
                errors.push_back(r.error().code);
              }
            }
            if (--outstanding == 0) all_done.set_value();
          });
        }
      });
    }
  }
  all_done.get_future().get();
  CHECK(errors.empty());
  std::sort(seqs.begin(), seqs.end());
  REQUIRE(seqs.size() == kThreads * kPerThread);
  for (std::size_t i = 0; i < seqs.size(); ++i) REQUIRE(seqs[i] == static_cast<std::int64_t>(i + 1));
  const auto stats = (*log)->stats();
  CHECK(stats.records == kThreads * kPerThread);
  CHECK(stats.commits < stats.records);
  CHECK(stats.commits >= 1);
  (*log)->stop();
  auto report = knutpunkt::verify_chain(*store);
  REQUIRE(report.has_value());
  CHECK(report->intact());
  CHECK(report->records == kThreads * kPerThread);
}

TEST_CASE("a failing store gives every callback of the batch the error and leaves the chain head unchanged") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  SwitchableStore switchable(*store);
  auto log = AuditLog::open(switchable);
  REQUIRE(log.has_value());
  auto before = append_and_wait(**log, "lookup", {{"n", 1}});
  REQUIRE(before.has_value());

  switchable.failing = true;
  auto failed_a = append_and_wait(**log, "lookup", {{"n", 2}});
  auto failed_b = append_and_wait(**log, "lookup", {{"n", 3}});
  REQUIRE_FALSE(failed_a.has_value());
  REQUIRE_FALSE(failed_b.has_value());
  CHECK(failed_a.error().code == "sqlite_error");
  CHECK((*log)->stats().failed_commits == 2);

  switchable.failing = false;
  auto after = append_and_wait(**log, "lookup", {{"n", 4}});
  REQUIRE(after.has_value());
  CHECK(after->seq == before->seq + 1);
  const auto records = scan_all(*store);
  REQUIRE(records.size() == 2);
  CHECK(records[1].prev_hash == before->hash);
  (*log)->stop();
  CHECK(knutpunkt::verify_chain(*store)->intact());
}

TEST_CASE("stop commits what is queued; appends after stop are refused at once") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  std::atomic<int> committed{0};
  for (int i = 0; i < 100; ++i) (*log)->append("lookup", {{"i", i}}, [&](auto r) { committed += r ? 1 : 0; });
  (*log)->stop();
  CHECK(committed == 100);
  CHECK(scan_all(*store).size() == 100);

  std::optional<std::string> code;
  (*log)->append("lookup", {{"late", true}}, [&](auto r) { code = r ? "ok" : r.error().code; });
  CHECK(code == "stopped");
  (*log)->stop();  // idempotent
}

TEST_CASE("a callback that throws does not stop the writer") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  auto log = AuditLog::open(*store);
  REQUIRE(log.has_value());
  (*log)->append("lookup", {{"i", 1}}, [](auto) { throw std::runtime_error("caller bug"); });
  auto next = append_and_wait(**log, "lookup", {{"i", 2}});
  REQUIRE(next.has_value());
  CHECK(next->seq == 2);
}

TEST_CASE("two audit logs writing one database at once make one unbroken chain, each receipt where its record is") {
  // Two gateway processes on one database: each writer knows only the head it last saw, so every
  // batch after the other's must be chained after the tip found inside the transaction.
  TempDir dir;
  auto first_store = open_store(dir.path / "k.db");
  auto second_store = open_store(dir.path / "k.db");
  auto first = AuditLog::open(*first_store);
  auto second = AuditLog::open(*second_store);
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());

  constexpr int kPerWriter = 200;
  std::mutex mutex;
  std::condition_variable done;
  int outstanding = 2 * kPerWriter;
  std::vector<AuditReceipt> receipts;
  std::vector<std::string> failures;
  const auto append = [&](AuditLog& log, const std::string& writer, int i) {
    log.append("lookup", {{"writer", writer}, {"n", i}}, [&](std::expected<AuditReceipt, StoreError> outcome) {
      std::lock_guard lock(mutex);
      if (outcome) {
        receipts.push_back(*outcome);
      } else {
        failures.push_back(outcome.error().message);
      }
      if (--outstanding == 0) done.notify_one();
    });
  };
  std::thread a([&] {
    for (int i = 0; i < kPerWriter; ++i) append(**first, "a", i);
  });
  std::thread b([&] {
    for (int i = 0; i < kPerWriter; ++i) append(**second, "b", i);
  });
  a.join();
  b.join();
  {
    std::unique_lock lock(mutex);
    REQUIRE(done.wait_for(lock, std::chrono::seconds(60), [&] { return outstanding == 0; }));
  }
  (*first)->stop();
  (*second)->stop();
  INFO((failures.empty() ? std::string() : failures.front()));
  REQUIRE(failures.empty());

  const auto records = scan_all(*first_store);
  REQUIRE(records.size() == 2 * kPerWriter);
  auto report = knutpunkt::verify_chain(*first_store);
  REQUIRE(report.has_value());
  CHECK(report->intact());
  // Every receipt names the seq and hash its record actually has.
  std::set<std::pair<std::int64_t, std::string>> stored;
  for (const AuditRecord& r : records) stored.emplace(r.seq, r.hash);
  for (const AuditReceipt& receipt : receipts) CHECK(stored.contains({receipt.seq, receipt.hash}));
}

TEST_CASE("an append whose idempotency key another instance stored first fails alone; the rest of its batch lands") {
  TempDir dir;
  auto first_store = open_store(dir.path / "k.db");
  auto second_real = open_store(dir.path / "k.db");
  GatedStore second_store(*second_real);
  auto first = AuditLog::open(*first_store);
  auto second = AuditLog::open(second_store);
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());

  const auto key = [](std::string hash) {
    return std::vector<knutpunkt::StoreWrite>{knutpunkt::store_write::PutIdempotency{
        knutpunkt::IdempotencyRecord{"client-a", "key-1", std::move(hash), 202, "{}", "2026-01-01T00:00:00Z"}}};
  };
  // The second instance's writer is held with a first record while three appends queue behind
  // it, which it then commits as one batch; the first instance stores the same idempotency key
  // meanwhile.
  (*second)->append("lookup", {{"n", "gate"}}, [](auto) {});
  second_store.wait_until_held();
  std::vector<std::future<std::expected<AuditReceipt, StoreError>>> outcomes;
  for (int i = 0; i < 3; ++i) {
    auto done = std::make_shared<std::promise<std::expected<AuditReceipt, StoreError>>>();
    outcomes.push_back(done->get_future());
    (*second)->append("referral.accepted", {{"n", i}}, i == 1 ? key("second") : std::vector<knutpunkt::StoreWrite>{},
                      [done](auto outcome) { done->set_value(std::move(outcome)); });
  }
  std::promise<std::expected<AuditReceipt, StoreError>> first_done;
  (*first)->append("referral.accepted", {{"n", "first"}}, key("first"),
                   [&first_done](auto outcome) { first_done.set_value(std::move(outcome)); });
  REQUIRE(first_done.get_future().get().has_value());
  second_store.release();

  auto a = outcomes[0].get();
  auto b = outcomes[1].get();
  auto c = outcomes[2].get();
  REQUIRE(a.has_value());
  REQUIRE_FALSE(b.has_value());
  CHECK(b.error().code == "conflict");
  REQUIRE(c.has_value());
  CHECK(c->seq == a->seq + 1);  // the refused entry took no place in the chain

  auto stored = first_store->idempotency("client-a", "key-1");
  REQUIRE(stored.has_value());
  REQUIRE(stored->has_value());
  CHECK((*stored)->request_hash == "first");
  (*first)->stop();
  (*second)->stop();
  auto report = knutpunkt::verify_chain(*first_store);
  REQUIRE(report.has_value());
  CHECK(report->intact());
  CHECK(scan_all(*first_store).size() == 4);
  CHECK((*second)->stats().commits == 2);
}

TEST_CASE("an attempt fenced by a lease another instance took over fails alone; the rest of its batch lands") {
  using namespace knutpunkt;
  TempDir dir;
  auto real = open_store(dir.path / "k.db");
  GatedStore store(*real);
  auto log = AuditLog::open(store);
  REQUIRE(log.has_value());

  const LaneKey key{"jobbtorg-sodra", "R-1"};
  const auto paused_token = real->claim_lease(key, "instance-a", 0, 1'000);
  REQUIRE(paused_token.has_value());
  REQUIRE(paused_token->has_value());
  // Instance A's lease expired; B took the key over under a new token.
  REQUIRE(real->claim_lease(key, "instance-b", 2'000, 60'000).value().has_value());
  OutboxMessage m = new_outbox_message({.destination = key.destination,
                                        .type = "referral.requested",
                                        .ordering_key = key.ordering_key,
                                        .client_id = "client-a",
                                        .case_id = "EB-1",
                                        .payload = {{"referral_id", "R-1"}}},
                                       1'000);
  REQUIRE(real->commit({}, {store_write::EnqueueMessage{m}}).has_value());

  // A's late attempt is queued in one batch with another request's record.
  (*log)->append("lookup", {{"n", "gate"}}, [](auto) {});
  store.wait_until_held();
  std::promise<std::expected<AuditReceipt, StoreError>> late, other;
  const store_write::RecordAttempt attempt{
      DeliveryAttempt{m.id, 1, 3'000, "https://jobbtorg.example/api/v1", 201, 5, "delivered", ""},
      MessageStatus::delivered, 0, "", store_write::LeaseFence{key, "instance-a", **paused_token, 90'000}};
  (*log)->append("delivery.attempt", {{"message_id", m.id}}, {attempt},
                 [&](auto outcome) { late.set_value(std::move(outcome)); });
  (*log)->append("referral.accepted", {{"n", 1}}, [&](auto outcome) { other.set_value(std::move(outcome)); });
  store.release();

  auto late_outcome = late.get_future().get();
  REQUIRE_FALSE(late_outcome.has_value());
  CHECK(late_outcome.error().code == "lease_lost");
  CHECK(other.get_future().get().has_value());
  CHECK(real->attempts(m.id).value().empty());
  CHECK(real->message(m.id).value()->status == MessageStatus::pending);
  (*log)->stop();
  CHECK(knutpunkt::verify_chain(*real).value().intact());
  CHECK(scan_all(*real).size() == 2);
}
