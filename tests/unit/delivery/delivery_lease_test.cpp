// Several gateway instances on one database: each key's messages are delivered by the instance
// holding its lease, once, in order; a dead instance's keys are taken over after expiry; an
// instance paused past its lease cannot record what another has taken over.
#include <atomic>
#include <catch2/catch.hpp>
#include <future>

#include "../audit/forwarding_store.h"
#include "delivery_harness.h"
#include "postgres_cluster.h"
#include "store/postgres/postgres_store.h"

using namespace delivery_test;
using knutpunkt::LaneKey;
using knutpunkt::MessageStatus;
using knutpunkt::delivery::ReplayOutcome;

namespace {

constexpr std::int64_t kLeaseMs = 30000;

// A store whose lease releases never reach the database: the machine died before it could
// release them.
class DiesWithoutRelease final : public audit_test::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::expected<void, knutpunkt::StoreError> release_leases(const std::string&,
                                                            const std::vector<knutpunkt::HeldLease>&) override {
    return {};
  }
};

// One gateway instance: its own store connection, audit log, io threads and engine, on a
// database file it shares with the others. `skew_ms` moves its wall clock: how a test lets
// leases expire without waiting for them.
// The database the instances share: a SQLite file, or a database of the test process's
// throwaway PostgreSQL cluster, where the instances' claims really run at once.
struct SharedDatabase {
  std::string backend;
  std::string location;
};

std::expected<std::unique_ptr<knutpunkt::Store>, knutpunkt::StoreError> open_shared(const SharedDatabase& db) {
  if (db.backend == "sqlite") return knutpunkt::open_sqlite_store(db.location);
  knutpunkt::PostgresSettings settings;
  settings.connection = db.location;
  return knutpunkt::open_postgres_store(settings);
}

class Instance {
 public:
  Instance(const std::filesystem::path& db, std::string id, const std::string& endpoint, bool dies = false,
           std::chrono::milliseconds timeout = 2000ms)
      : Instance(SharedDatabase{"sqlite", db.string()}, std::move(id), endpoint, dies, timeout) {}
  Instance(const SharedDatabase& db, std::string id, const std::string& endpoint, bool dies = false,
           std::chrono::milliseconds timeout = 2000ms) {
    auto opened = open_shared(db);
    INFO((opened ? std::string() : opened.error().code + ": " + opened.error().message));
    REQUIRE(opened.has_value());
    real_store = std::move(*opened);
    if (dies) wrapper = std::make_unique<DiesWithoutRelease>(*real_store);
    knutpunkt::Store& store = wrapper ? *wrapper : *real_store;
    auto log = knutpunkt::AuditLog::open(store);
    REQUIRE(log.has_value());
    audit = std::move(*log);
    http.emplace(io);
    engine.emplace(io, *http, store, *audit);
    adapter = std::make_unique<JsonAdapter>(endpoint);
    auto settings = fast_settings("partner");
    settings.timeout = timeout;
    engine->add_destination(settings, *adapter);
    engine->set_leases({std::move(id), std::chrono::milliseconds{kLeaseMs}, 50ms, 100});
    engine->set_clock([this] { return now_ms() + skew_ms.load(); });
  }
  ~Instance() { shutdown(); }

  void start() {
    REQUIRE(engine->start().has_value());
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }
  void submit(const knutpunkt::OutboxMessage& m) {
    std::promise<bool> durable;
    auto done = durable.get_future();
    engine->submit("referral.accepted", {{"message_id", m.id}}, {knutpunkt::store_write::EnqueueMessage{m}},
                   [&durable](auto receipt) { durable.set_value(receipt.has_value()); });
    REQUIRE(done.get());
  }
  knutpunkt::delivery::ReplayResult replay(const std::string& id) {
    std::promise<knutpunkt::delivery::ReplayResult> result;
    auto done = result.get_future();
    engine->replay(id, "operator-1", [&result](knutpunkt::delivery::ReplayResult r) { result.set_value(r); });
    return done.get();
  }
  bool status_is(const std::string& id, MessageStatus status) {
    auto m = real_store->message(id);
    REQUIRE(m.has_value());
    return *m && (*m)->status == status;
  }
  std::optional<knutpunkt::DeliveryLease> lease(const std::string& ordering_key) {
    auto l = real_store->lease(LaneKey{"partner", ordering_key});
    REQUIRE(l.has_value());
    return *l;
  }
  void shutdown() {
    if (down_) return;
    down_ = true;
    engine->stop();
    audit->stop();
    work.reset();
    io.stop();
    for (auto& t : threads) t.join();
  }

  std::atomic<std::int64_t> skew_ms{0};
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{io.get_executor()};
  std::unique_ptr<knutpunkt::Store> real_store;
  std::unique_ptr<knutpunkt::Store> wrapper;
  std::unique_ptr<knutpunkt::AuditLog> audit;
  std::optional<knutpunkt::net::HttpClient> http;
  std::unique_ptr<JsonAdapter> adapter;
  std::optional<knutpunkt::delivery::DeliveryEngine> engine;
  std::vector<std::thread> threads;

 private:
  bool down_ = false;
};

std::vector<std::string> labels_with_prefix(const Receiver& receiver, const std::string& prefix) {
  std::vector<std::string> out;
  for (const Seen& s : receiver.seen()) {
    if (s.label.rfind(prefix, 0) == 0) out.push_back(s.label);
  }
  return out;
}

std::size_t audited(knutpunkt::Store& store, const std::string& kind, const std::string& message_id) {
  std::size_t n = 0;
  REQUIRE(store
              .scan_audit(1,
                          [&](const knutpunkt::AuditRecord& r) {
                            n += r.kind == kind && r.body.value("message_id", "") == message_id ? 1 : 0;
                            return true;
                          })
              .has_value());
  return n;
}

}  // namespace

TEST_CASE(
    "a lease is claimed when free or expired, refused while another holder's is live, and a new holder gets a new "
    "token") {
  TempDir dir;
  auto opened = knutpunkt::open_sqlite_store(dir.path / "k.db");
  REQUIRE(opened.has_value());
  knutpunkt::Store& store = **opened;
  const LaneKey key{"partner", "k1"};

  auto a = store.claim_lease(key, "a", 1000, 2000);
  REQUIRE(a.has_value());
  REQUIRE(a->has_value());
  // Live: another holder is refused, the holder itself keeps its token.
  auto b = store.claim_lease(key, "b", 1500, 2500);
  REQUIRE(b.has_value());
  CHECK_FALSE(b->has_value());
  auto again = store.claim_lease(key, "a", 1500, 2500);
  REQUIRE(again.has_value());
  CHECK(*again == *a);
  // Expired: the other holder takes it under a new token, and the old holder cannot renew.
  auto later = store.claim_lease(key, "b", 2600, 3600);
  REQUIRE(later.has_value());
  REQUIRE(later->has_value());
  CHECK(**later != **a);
  auto lost = store.renew_leases("a", {{key, **a}}, 5000);
  REQUIRE(lost.has_value());
  CHECK(*lost == std::vector<LaneKey>{key});
  auto lease = store.lease(key);
  REQUIRE(lease.has_value());
  CHECK((*lease)->holder == "b");
  CHECK((*lease)->expires_at_ms == 3600);
  // Released: free at once for anyone.
  REQUIRE(store.release_leases("b", {{key, **later}}).has_value());
  auto c = store.claim_lease(key, "c", 2700, 3700);
  REQUIRE(c.has_value());
  CHECK(c->has_value());
}

TEST_CASE("an attempt recorded under a lease token that was taken over fails with lease_lost and records nothing") {
  TempDir dir;
  auto opened = knutpunkt::open_sqlite_store(dir.path / "k.db");
  REQUIRE(opened.has_value());
  knutpunkt::Store& store = **opened;
  const auto m = message("partner", "k1", "m1");
  const LaneKey key{"partner", "k1"};
  REQUIRE(
      store.commit({}, {knutpunkt::store_write::EnqueueMessage{m, knutpunkt::store_write::LeaseClaim{"a", 1000, 2000}}})
          .has_value());
  auto held = store.lease(key);
  REQUIRE(held.has_value());
  REQUIRE(held->has_value());
  CHECK((*held)->holder == "a");
  const std::int64_t token_a = (*held)->token;
  auto token_b = store.claim_lease(key, "b", 2500, 3500);  // a's lease expired at 2000
  REQUIRE(token_b.has_value());
  REQUIRE(token_b->has_value());

  knutpunkt::DeliveryAttempt attempt{m.id, 1, 1900, "http://partner/in", 200, 5, "delivered", ""};
  knutpunkt::AuditRecord record{1, "2026-01-01T00:00:00.000Z", "delivery.attempt", {{"message_id", m.id}}, "", "h"};
  auto stale = store.commit(
      {record}, {knutpunkt::store_write::RecordAttempt{attempt, MessageStatus::delivered, 0, "",
                                                       knutpunkt::store_write::LeaseFence{key, "a", token_a, 5000}}});
  REQUIRE_FALSE(stale.has_value());
  CHECK(stale.error().code == "lease_lost");
  auto attempts = store.attempts(m.id);
  REQUIRE(attempts.has_value());
  CHECK(attempts->empty());
  auto still = store.message(m.id);
  REQUIRE(still.has_value());
  CHECK((*still)->status == MessageStatus::pending);
  auto last = store.last_audit_record();
  REQUIRE(last.has_value());
  CHECK_FALSE(last->has_value());

  // The holder's own attempt is recorded, and extends its lease.
  auto current = store.commit(
      {record}, {knutpunkt::store_write::RecordAttempt{attempt, MessageStatus::delivered, 0, "",
                                                       knutpunkt::store_write::LeaseFence{key, "b", **token_b, 9000}}});
  REQUIRE(current.has_value());
  auto lease = store.lease(key);
  REQUIRE(lease.has_value());
  CHECK((*lease)->expires_at_ms == 9000);
}

TEST_CASE("two instances on one database deliver every message once, in order per key, whichever accepted it") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO("backend: " << backend);
  TempDir dir;
  const SharedDatabase db{backend, backend == "sqlite"
                                       ? (dir.path / "k.db").string()
                                       : knutpunkt::test_postgres::PostgresCluster::shared().create_database()};
  Receiver receiver;
  std::atomic<int> calls{0};
  // Every third request is "not now": retries interleave the keys.
  receiver.script([&](const std::string&, int nth) { return Answer{nth == 1 && (++calls % 3 == 0) ? 503 : 200, ""}; });
  Instance a(db, "instance-a", receiver.url());
  Instance b(db, "instance-b", receiver.url());
  a.start();
  b.start();

  std::vector<knutpunkt::OutboxMessage> all;
  for (int n = 1; n <= 4; ++n) {
    for (int k = 1; k <= 4; ++k) {
      auto m = message("partner", "k" + std::to_string(k), "k" + std::to_string(k) + "#" + std::to_string(n));
      ((n + k) % 2 == 0 ? a : b).submit(m);
      all.push_back(m);
    }
  }
  REQUIRE(eventually(
      [&] {
        for (const auto& m : all) {
          if (!a.status_is(m.id, MessageStatus::delivered)) return false;
        }
        return true;
      },
      10000ms));
  std::this_thread::sleep_for(300ms);  // a second delivery would show up now
  for (int k = 1; k <= 4; ++k) {
    const std::string key = "k" + std::to_string(k);
    std::vector<std::string> delivered;
    for (const Seen& s : receiver.seen()) {
      if (s.label.rfind(key + "#", 0) == 0 && s.status == 200) delivered.push_back(s.label);
    }
    CHECK(delivered == std::vector<std::string>{key + "#1", key + "#2", key + "#3", key + "#4"});
  }
  for (const auto& m : all) CHECK(audited(*a.real_store, "delivery.attempt", m.id) >= 1);
  // Done with, every key is released: another instance may claim it at once.
  CHECK(eventually([&] {
    for (int k = 1; k <= 4; ++k) {
      const auto lease = a.lease("k" + std::to_string(k));
      if (!lease || lease->expires_at_ms != 0) return false;
    }
    return true;
  }));
}

TEST_CASE("the keys of an instance that died holding them are taken over once its leases expire") {
  TempDir dir;
  const auto db = dir.path / "k.db";
  Receiver receiver;
  std::atomic<bool> up{false};
  receiver.script([&](const std::string&, int) { return Answer{up ? 200 : 503, ""}; });
  Instance b(db, "instance-b", receiver.url());
  const auto m1 = message("partner", "k1", "k1#1");
  const auto m2 = message("partner", "k1", "k1#2");
  {
    Instance a(db, "instance-a", receiver.url(), /*dies=*/true);
    a.start();
    a.submit(m1);
    a.submit(m2);
    REQUIRE(eventually([&] { return !receiver.seen("k1#1").empty(); }));
    a.shutdown();  // its release never reaches the database
  }
  REQUIRE(b.lease("k1")->holder == "instance-a");
  up = true;
  b.start();
  std::this_thread::sleep_for(300ms);
  // Still A's: nothing is sent while its lease is live.
  CHECK(receiver.delivered("k1#1") == 0);
  CHECK(b.lease("k1")->holder == "instance-a");

  b.skew_ms = kLeaseMs + 1000;  // A's lease has expired by B's clock
  REQUIRE(eventually([&] { return b.status_is(m2.id, MessageStatus::delivered); }));
  CHECK(b.status_is(m1.id, MessageStatus::delivered));
  std::vector<std::string> delivered;
  for (const Seen& s : receiver.seen()) {
    if (s.status == 200) delivered.push_back(s.label);
  }
  CHECK(delivered == std::vector<std::string>{"k1#1", "k1#2"});
  CHECK(labels_with_prefix(receiver, "k1#").back() == "k1#2");
  CHECK(b.lease("k1")->holder == "instance-b");
}

TEST_CASE("an instance paused past its lease cannot record its attempt once another took the key over") {
  TempDir dir;
  const auto db = dir.path / "k.db";
  Receiver receiver;
  receiver.script([](const std::string&, int) { return Answer{200, ""}; });
  // Each instance is "paused" between the receiver's answer and recording it (its settlement
  // hook runs in between), until the test lets it go on.
  std::promise<void> wake_a_promise, wake_b_promise;
  std::shared_future<void> wake_a = wake_a_promise.get_future().share();
  std::shared_future<void> wake_b = wake_b_promise.get_future().share();
  std::atomic<bool> a_paused{false}, b_paused{false};
  Instance a(db, "instance-a", receiver.url());
  Instance b(db, "instance-b", receiver.url());
  a.engine->set_default_settlement_handler(
      [&](const knutpunkt::OutboxMessage&, MessageStatus, const std::string&) -> std::vector<knutpunkt::StoreWrite> {
        if (!a_paused.exchange(true)) wake_a.wait_for(10s);
        return {};
      });
  b.engine->set_default_settlement_handler(
      [&](const knutpunkt::OutboxMessage&, MessageStatus, const std::string&) -> std::vector<knutpunkt::StoreWrite> {
        if (!b_paused.exchange(true)) wake_b.wait_for(10s);
        return {};
      });
  a.start();
  const auto m = message("partner", "k1", "p#1");
  a.submit(m);
  REQUIRE(eventually([&] { return a_paused.load(); }));
  b.skew_ms = kLeaseMs + 1000;  // by B's clock, A's lease ran out while A was paused
  b.start();
  REQUIRE(eventually([&] { return b_paused.load(); }));  // B has sent it too, and not yet recorded
  CHECK(b.lease("k1")->holder == "instance-b");

  wake_a_promise.set_value();  // A wakes up first: its attempt must not be recorded
  std::this_thread::sleep_for(500ms);
  auto attempts = a.real_store->attempts(m.id);
  REQUIRE(attempts.has_value());
  CHECK(attempts->empty());
  CHECK(audited(*a.real_store, "delivery.attempt", m.id) == 0);
  CHECK(a.status_is(m.id, MessageStatus::pending));

  wake_b_promise.set_value();  // B's delivery stands
  REQUIRE(eventually([&] { return b.status_is(m.id, MessageStatus::delivered); }));
  std::this_thread::sleep_for(1200ms);  // A would try again after a second if it kept the key
  CHECK(receiver.seen("p#1").size() == 2);
  attempts = a.real_store->attempts(m.id);
  REQUIRE(attempts.has_value());
  CHECK(attempts->size() == 1);
  CHECK(audited(*a.real_store, "delivery.attempt", m.id) == 1);
  CHECK(b.lease("k1")->holder == "instance-b");
  CHECK(a.engine->metrics().front().delivered == 0);
  CHECK(b.engine->metrics().front().delivered == 1);
}

TEST_CASE("a dead letter replayed through another instance is delivered by the instance holding its key") {
  TempDir dir;
  const auto db = dir.path / "k.db";
  Receiver receiver;
  std::atomic<bool> accept{false};
  receiver.script([&](const std::string& label, int) { return Answer{label == "d#1" && !accept ? 400 : 200, ""}; });
  Instance a(db, "instance-a", receiver.url());
  Instance b(db, "instance-b", receiver.url());
  a.start();
  b.start();
  const auto dead = message("partner", "k1", "d#1");
  const auto next = message("partner", "k1", "d#2");
  a.submit(dead);
  REQUIRE(eventually([&] { return a.status_is(dead.id, MessageStatus::dead); }));
  b.submit(next);  // A holds the key: the message waits behind the dead letter
  std::this_thread::sleep_for(300ms);
  CHECK(receiver.seen("d#2").empty());
  CHECK(a.lease("k1")->holder == "instance-a");

  accept = true;
  REQUIRE(b.replay(dead.id).outcome == ReplayOutcome::replayed);
  REQUIRE(eventually([&] { return a.status_is(next.id, MessageStatus::delivered); }));
  CHECK(a.status_is(dead.id, MessageStatus::delivered));
  CHECK(labels_with_prefix(receiver, "d#") == std::vector<std::string>{"d#1", "d#1", "d#2"});
  CHECK(a.engine->metrics().front().delivered == 2);
  CHECK(b.engine->metrics().front().delivered == 0);
}
