// Several gateway instances on one PostgreSQL database: one audit chain however many write it,
// and unique keys that let exactly one of two racing acceptances through.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_verifier.h"
#include "pg_test_database.h"

using namespace knutpunkt;
using namespace knutpunkt::test_postgres;

namespace {

// Commits one entry sealed; true when it was stored, false when it was refused as a conflict.
// Any other outcome is counted in `other`.
bool commit_entry(Store& store, AuditRecord record, std::vector<StoreWrite> writes, std::atomic<int>& other) {
  std::vector<CommitEntry> batch{CommitEntry{std::move(record), std::move(writes), std::nullopt, {}}};
  auto ok = store.commit_sealed(batch, seal_after);
  if (!ok) {
    ++other;
    return false;
  }
  if (batch[0].refused && batch[0].refused->code != "conflict") ++other;
  return !batch[0].refused;
}

AuditRecord record(const std::string& kind) {
  return AuditRecord{0, "2026-12-06T12:00:00.000Z", kind, {{"n", 1}}, "", ""};
}

// Runs `commit(instance, i)` for i in [0, n) on two instances at once, both starting together;
// returns how many commits succeeded per i.
template <typename Commit>
std::vector<int> race(Store& a, Store& b, int n, Commit commit) {
  std::vector<std::atomic<int>> won(static_cast<std::size_t>(n));
  std::atomic<int> ready{0};
  auto run = [&](Store& store, const std::string& name) {
    ++ready;
    while (ready.load() < 2) std::this_thread::yield();
    for (int i = 0; i < n; ++i) {
      if (commit(store, name, i)) ++won[static_cast<std::size_t>(i)];
    }
  };
  std::thread ta(run, std::ref(a), "a");
  std::thread tb(run, std::ref(b), "b");
  ta.join();
  tb.join();
  std::vector<int> out;
  for (auto& w : won) out.push_back(w.load());
  return out;
}

}  // namespace

TEST_CASE("two instances appending from several threads each form one unbroken chain") {
  const std::string db = fresh_database();
  auto store_a = open_store(db);
  auto store_b = open_store(db);
  auto log_a = AuditLog::open(*store_a);
  auto log_b = AuditLog::open(*store_b);
  REQUIRE(log_a.has_value());
  REQUIRE(log_b.has_value());

  constexpr int kThreadsPerInstance = 3;
  constexpr int kAppendsPerThread = 40;
  constexpr int kTotal = 2 * kThreadsPerInstance * kAppendsPerThread;
  std::mutex mutex;
  std::condition_variable done;
  int finished = 0;
  int failed = 0;
  std::vector<std::thread> threads;
  for (AuditLog* log : {log_a->get(), log_b->get()}) {
    for (int t = 0; t < kThreadsPerInstance; ++t) {
      threads.emplace_back([&, log, t] {
        for (int i = 0; i < kAppendsPerThread; ++i) {
          log->append("test.appended", {{"thread", t}, {"i", i}}, [&](std::expected<AuditReceipt, StoreError> r) {
            std::lock_guard lock(mutex);
            ++finished;
            if (!r) ++failed;
            done.notify_all();
          });
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  {
    std::unique_lock lock(mutex);
    REQUIRE(done.wait_for(lock, std::chrono::seconds(60), [&] { return finished == kTotal; }));
  }
  (*log_a)->stop();
  (*log_b)->stop();

  CHECK(failed == 0);
  auto report = verify_chain(*store_a);
  REQUIRE(report.has_value());
  INFO((report->first_problem ? report->first_problem->problem + " at " + std::to_string(report->first_problem->seq)
                              : std::string()));
  CHECK(report->intact());
  CHECK(report->records == kTotal);
  CHECK(report->head_seq == kTotal);
  CHECK(sql(db, "SELECT seq FROM audit_head") == std::to_string(kTotal));
}

TEST_CASE(
    "two instances racing on one idempotency key: one acceptance is stored, the other is refused whole as a conflict") {
  const std::string db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  constexpr int kKeys = 40;
  std::atomic<int> other_outcomes{0};
  const auto won = race(*a, *b, kKeys, [&](Store& store, const std::string& name, int i) {
    return commit_entry(
        store, record("referral.accepted"),
        {store_write::PutIdempotency{
             IdempotencyRecord{"case-system", "key-" + std::to_string(i), name, 201, "{}", "t"}},
         store_write::AppendEvent{"event-" + name + "-" + std::to_string(i), "case-system", "case", "corr", "t", {}}},
        other_outcomes);
  });
  for (int i = 0; i < kKeys; ++i) {
    INFO("key " << i);
    CHECK(won[static_cast<std::size_t>(i)] == 1);
  }
  CHECK(other_outcomes == 0);
  // Nothing of a refused entry is stored: neither its audit record nor its other writes.
  CHECK(sql(db, "SELECT count(*) FROM idempotency_key") == std::to_string(kKeys));
  CHECK(sql(db, "SELECT count(*) FROM audit_log") == std::to_string(kKeys));
  CHECK(sql(db, "SELECT count(*) FROM case_event") == std::to_string(kKeys));
  // The stored key answers with the winner's request.
  for (int i = 0; i < kKeys; ++i) {
    auto stored = a->idempotency("case-system", "key-" + std::to_string(i));
    REQUIRE(stored.has_value());
    REQUIRE(stored->has_value());
    const std::string event = "event-" + (*stored)->request_hash + "-" + std::to_string(i);
    CHECK(sql(db, "SELECT count(*) FROM case_event WHERE event_id = '" + event + "'") == "1");
  }
}

TEST_CASE("two instances racing on one partner message: one receipt is stored, the other is refused as a conflict") {
  const std::string db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  constexpr int kMessages = 40;
  std::atomic<int> other_outcomes{0};
  const auto won = race(*a, *b, kMessages, [&](Store& store, const std::string& name, int i) {
    return commit_entry(store, record("partner.notification_received"),
                        {store_write::PutInboundReceipt{"jobbtorg", "msg-" + std::to_string(i), "ref-" + name, "t"}},
                        other_outcomes);
  });
  for (int i = 0; i < kMessages; ++i) CHECK(won[static_cast<std::size_t>(i)] == 1);
  CHECK(other_outcomes == 0);
  CHECK(sql(db, "SELECT count(*) FROM inbound_receipt") == std::to_string(kMessages));
  CHECK(sql(db, "SELECT count(*) FROM audit_log") == std::to_string(kMessages));
  CHECK(a->inbound_seen("jobbtorg", "msg-0").value());
}

TEST_CASE("two instances racing on one SIP plan version: one is stored, the other is refused as a conflict") {
  const std::string db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  constexpr int kPlans = 30;
  std::atomic<int> other_outcomes{0};
  const auto won = race(*a, *b, kPlans, [&](Store& store, const std::string& name, int i) {
    SipPlanRecord plan;
    plan.plan_id = "SIP-" + std::to_string(i);
    plan.status = "initiated";
    plan.version = 1;
    plan.initiated_at = plan.updated_at = "2026-12-06T12:00:00Z";
    plan.plan = {{"by", name}};
    return commit_entry(store, record("sip.plan_updated"), {store_write::PutSipPlan{plan}}, other_outcomes);
  });
  for (int i = 0; i < kPlans; ++i) CHECK(won[static_cast<std::size_t>(i)] == 1);
  CHECK(other_outcomes == 0);
  CHECK(sql(db, "SELECT count(*) FROM sip_plan_version") == std::to_string(kPlans));
  CHECK(sql(db, "SELECT count(*) FROM audit_log") == std::to_string(kPlans));
  // The current plan is the stored version's, not the loser's.
  auto current = a->sip_plan("SIP-0");
  auto version = a->sip_plan_version("SIP-0", 1);
  REQUIRE(current.has_value());
  REQUIRE(version.has_value());
  CHECK((*current)->plan == **version);
}

TEST_CASE("two instances raising one SIP reminder at once: one is stored, the other is refused as a conflict") {
  const std::string db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  constexpr int kReminders = 30;
  std::atomic<int> other_outcomes{0};
  const auto won = race(*a, *b, kReminders, [&](Store& store, const std::string& name, int i) {
    return commit_entry(
        store, record("sip.reminder_raised"),
        {store_write::PutSipReminder{"SIP-1", "followup_due", "2027-01-" + std::to_string(i), "raised-by-" + name}},
        other_outcomes);
  });
  for (int i = 0; i < kReminders; ++i) CHECK(won[static_cast<std::size_t>(i)] == 1);
  CHECK(other_outcomes == 0);
  CHECK(sql(db, "SELECT count(*) FROM sip_reminder") == std::to_string(kReminders));
  CHECK(sql(db, "SELECT count(*) FROM audit_log") == std::to_string(kReminders));
  CHECK(a->sip_reminder_raised("SIP-1", "followup_due", "2027-01-0").value());
}

TEST_CASE("a refused entry takes no place in the chain: the entries after it follow the one before") {
  const std::string db = fresh_database();
  auto store = open_store(db);
  const auto key = [](const std::string& k) {
    return std::vector<StoreWrite>{store_write::PutIdempotency{IdempotencyRecord{"c", k, "h", 201, "{}", "t"}}};
  };
  std::vector<CommitEntry> batch{CommitEntry{record("one"), key("k1"), std::nullopt, {}},
                                 CommitEntry{record("again"), key("k1"), std::nullopt, {}},
                                 CommitEntry{record("two"), key("k2"), std::nullopt, {}}};
  REQUIRE(store->commit_sealed(batch, seal_after).has_value());
  CHECK_FALSE(batch[0].refused);
  REQUIRE(batch[1].refused);
  CHECK(batch[1].refused->code == "conflict");
  CHECK(batch[1].refused->message.find("k1") == std::string::npos);
  CHECK_FALSE(batch[2].refused);
  CHECK(batch[2].record.seq == 2);
  CHECK(batch[2].record.prev_hash == batch[0].record.hash);
  CHECK(sql(db, "SELECT string_agg(kind, ',' ORDER BY seq) FROM audit_log") == "one,two");
  CHECK(sql(db, "SELECT seq FROM audit_head") == "2");
}

TEST_CASE("the audit log refuses UPDATE and DELETE except inside a retention removal") {
  const std::string db = fresh_database();
  auto store = open_store(db);
  std::vector<CommitEntry> batch{CommitEntry{record("a"), {}, std::nullopt, {}},
                                 CommitEntry{record("b"), {}, std::nullopt, {}},
                                 CommitEntry{record("c"), {}, std::nullopt, {}}};
  REQUIRE(store->commit_sealed(batch, seal_after).has_value());
  CHECK_THROWS(sql(db, "UPDATE audit_log SET kind = 'x' WHERE seq = 1"));
  CHECK_THROWS(sql(db, "DELETE FROM audit_log WHERE seq = 1"));
  CHECK_THROWS(sql(db, "TRUNCATE audit_log"));
  CHECK(sql(db, "SELECT count(*) FROM audit_log") == "3");

  const AuditCheckpoint checkpoint{2, "h2", 2, "2026-12-01T00:00:00Z", "2026-12-06T12:00:00Z", "k", "sig"};
  std::vector<CommitEntry> retention{
      CommitEntry{record("audit.retention_applied"), {store_write::RemoveAuditThrough{checkpoint}}, std::nullopt, {}}};
  REQUIRE(store->commit_sealed(retention, seal_after).has_value());
  CHECK(sql(db, "SELECT min(seq) FROM audit_log") == "3");
  CHECK(sql(db, "SELECT count(*) FROM audit_index WHERE seq <= 2") == "0");
  CHECK(store->latest_audit_checkpoint().value()->through_seq == 2);
  // The permit went with the retention's transaction: deleting is refused again.
  CHECK_THROWS(sql(db, "DELETE FROM audit_log WHERE seq = 3"));
  // The chain continues after the removal.
  CHECK(sql(db, "SELECT seq FROM audit_head") == "4");
}

TEST_CASE("a feed reader following its cursor misses no event that two instances append at once") {
  // The cursor is the last seq read: an event whose seq was taken before another's but that
  // committed after it would fall behind the cursor and never be read.
  const std::string db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  auto reader = open_store(db);
  constexpr int kPerInstance = 150;
  std::atomic<int> writing{2};
  std::atomic<int> failed{0};
  auto write = [&](Store& store, const std::string& name) {
    for (int i = 0; i < kPerInstance; ++i) {
      const std::string id = name + std::to_string(i);
      if (!store.commit({}, {store_write::AppendEvent{id, "client", "case", "corr", "t", {{"id", id}}}})) ++failed;
    }
    --writing;
  };
  std::thread ta(write, std::ref(*a), "a");
  std::thread tb(write, std::ref(*b), "b");
  std::set<std::string> seen;
  std::int64_t cursor = 0;
  bool last_round = false;
  for (;;) {
    const bool done = writing.load() == 0;
    auto page = reader->events_after("client", cursor, 1000);
    REQUIRE(page.has_value());
    for (const StoredEvent& e : *page) {
      CHECK(seen.insert(e.event_id).second);
      cursor = e.seq;
    }
    if (done && last_round) break;
    last_round = done;
  }
  ta.join();
  tb.join();
  CHECK(failed == 0);
  CHECK(seen.size() == 2 * kPerInstance);
}
