// The store's delivery side: outbox, attempts, dead letters, feed, referrals, idempotency keys,
// inbound receipts, all written through commit() beside audit records.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "store/sqlite/sqlite_store.h"

using namespace knutpunkt;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "knutpunkt-outbox-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::unique_ptr<Store> open_store(const std::filesystem::path& file) {
  auto store = open_sqlite_store(file);
  REQUIRE(store.has_value());
  return std::move(*store);
}

AuditRecord record(std::int64_t seq) {
  return AuditRecord{seq, "2026-11-24T10:00:00.000Z", "test", {{"n", seq}}, "p" + std::to_string(seq),
                     "h" + std::to_string(seq)};
}

OutboxMessage outbox(const std::string& id, const std::string& destination = "jobbtorg",
                     const std::string& key = "R-1") {
  OutboxMessage m;
  m.id = id;
  m.destination = destination;
  m.type = "referral.requested";
  m.ordering_key = key;
  m.client_id = "client-a";
  m.case_id = "EB-" + id;
  m.payload = {{"id", id}, {"text", "Söderort"}};
  m.created_at_ms = 1000;
  m.next_attempt_at_ms = 1000;
  return m;
}

store_write::RecordAttempt attempt(const std::string& id, int number, MessageStatus status, int http_status,
                                   std::int64_t started, std::string error = {}) {
  DeliveryAttempt a{id, number, started, "http://partner/in", http_status, 25,
                    status == MessageStatus::delivered ? "delivered"
                    : status == MessageStatus::dead    ? "dead_lettered"
                                                       : "retry",
                    error};
  return store_write::RecordAttempt{a, status, status == MessageStatus::pending ? started + 500 : 0, error};
}

store_write::AppendEvent event(const std::string& id, const std::string& client, int n) {
  return store_write::AppendEvent{id, client, "EB-1", "corr-1", "referral.sent", {{"event_id", id}, {"n", n}}};
}

void commit_ok(Store& store, const std::vector<AuditRecord>& records, const std::vector<StoreWrite>& writes) {
  auto ok = store.commit(records, writes);
  INFO((ok ? std::string() : ok.error().code + ": " + ok.error().message));
  REQUIRE(ok.has_value());
}

OutboxMessage read(Store& store, const std::string& id) {
  auto m = store.message(id);
  REQUIRE(m.has_value());
  REQUIRE(m->has_value());
  return **m;
}

std::vector<OutboxMessage> undelivered(Store& store) {
  std::vector<OutboxMessage> out;
  REQUIRE(store.scan_undelivered_messages([&](const OutboxMessage& m) {
                 out.push_back(m);
                 return true;
               }).has_value());
  return out;
}

std::size_t audit_count(Store& store) {
  std::size_t n = 0;
  REQUIRE(store.scan_audit(1, [&](const AuditRecord&) {
                 ++n;
                 return true;
               }).has_value());
  return n;
}

}  // namespace

TEST_CASE("a batch whose last write violates a unique key stores nothing, not even its audit records") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  const IdempotencyRecord key{"client-a", "key-1", "hash", 201, "{\"ok\":true}", "2026-11-24T10:00:00Z"};
  commit_ok(*store, {record(1)}, {store_write::PutIdempotency{key}});

  auto refused = store->commit({record(2), record(3)},
                               {store_write::EnqueueMessage{outbox("m-1")}, event("e-1", "client-a", 1),
                                store_write::PutReferral{ReferralRecord{"R-1", "client-a", "EB-1", "jobbtorg",
                                                                        "191212121212", false, "2026-11-24", {}}},
                                store_write::PutInboundReceipt{"jobbtorg", "x-1", "R-1", "2026-11-24"},
                                store_write::PutIdempotency{key}});
  REQUIRE_FALSE(refused.has_value());
  CHECK(audit_count(*store) == 1);
  CHECK_FALSE(store->message("m-1")->has_value());
  CHECK(store->events_after("client-a", 0, 10)->empty());
  CHECK_FALSE(store->referral("R-1")->has_value());
  CHECK_FALSE(*store->inbound_seen("jobbtorg", "x-1"));
  CHECK((*store->idempotency("client-a", "key-1"))->http_status == 201);

  // The store is usable afterwards and the same batch without the conflict goes through.
  commit_ok(*store, {record(2)}, {store_write::EnqueueMessage{outbox("m-1")}});
  CHECK(audit_count(*store) == 2);
  CHECK(store->message("m-1")->has_value());
}

TEST_CASE("two messages with the same id in one batch store neither") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  REQUIRE_FALSE(store->commit({}, {store_write::EnqueueMessage{outbox("m-1")}, store_write::EnqueueMessage{outbox("m-2")},
                                   store_write::EnqueueMessage{outbox("m-1")}})
                    .has_value());
  CHECK(undelivered(*store).empty());
}

TEST_CASE("an enqueued message reads back field for field as pending, with a store-assigned position") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  commit_ok(*store, {}, {store_write::EnqueueMessage{outbox("m-1")}, store_write::EnqueueMessage{outbox("m-2")}});
  const auto m = read(*store, "m-1");
  CHECK(m.destination == "jobbtorg");
  CHECK(m.type == "referral.requested");
  CHECK(m.ordering_key == "R-1");
  CHECK(m.client_id == "client-a");
  CHECK(m.case_id == "EB-m-1");
  CHECK(m.payload == nlohmann::json{{"id", "m-1"}, {"text", "Söderort"}});
  CHECK(m.status == MessageStatus::pending);
  CHECK(m.attempts == 0);
  CHECK(m.cycle_attempts == 0);
  CHECK(m.created_at_ms == 1000);
  CHECK(m.cycle_started_at_ms == 1000);
  CHECK(m.next_attempt_at_ms == 1000);
  CHECK(m.position > 0);
  CHECK(read(*store, "m-2").position > m.position);
  CHECK_FALSE(store->message("m-3")->has_value());
}

TEST_CASE("recorded attempts move a message through retry, dead and delivered, keeping every attempt") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  commit_ok(*store, {}, {store_write::EnqueueMessage{outbox("m-1")}});

  commit_ok(*store, {record(1)}, {attempt("m-1", 1, MessageStatus::pending, 503, 2000, "http_503")});
  auto m = read(*store, "m-1");
  CHECK(m.status == MessageStatus::pending);
  CHECK(m.attempts == 1);
  CHECK(m.cycle_attempts == 1);
  CHECK(m.next_attempt_at_ms == 2500);
  CHECK(m.last_error == "http_503");

  commit_ok(*store, {record(2)}, {attempt("m-1", 2, MessageStatus::dead, 400, 3000, "http_400")});
  m = read(*store, "m-1");
  CHECK(m.status == MessageStatus::dead);
  CHECK(m.attempts == 2);
  CHECK(m.cycle_attempts == 2);
  CHECK(m.dead_at_ms == 3025);  // end of the attempt: start + latency
  CHECK(m.delivered_at_ms == 0);
  CHECK(m.last_error == "http_400");

  commit_ok(*store, {record(3)}, {store_write::Replay{"m-1", 4000}});
  m = read(*store, "m-1");
  CHECK(m.status == MessageStatus::pending);
  CHECK(m.attempts == 2);  // history kept
  CHECK(m.cycle_attempts == 0);
  CHECK(m.cycle_started_at_ms == 4000);
  CHECK(m.next_attempt_at_ms == 4000);
  CHECK(m.dead_at_ms == 0);
  CHECK(m.created_at_ms == 1000);

  commit_ok(*store, {record(4)}, {attempt("m-1", 3, MessageStatus::delivered, 200, 5000)});
  m = read(*store, "m-1");
  CHECK(m.status == MessageStatus::delivered);
  CHECK(m.attempts == 3);
  CHECK(m.cycle_attempts == 1);
  CHECK(m.delivered_at_ms == 5025);
  CHECK(m.last_error.empty());

  const auto attempts = store->attempts("m-1");
  REQUIRE(attempts.has_value());
  REQUIRE(attempts->size() == 3);
  CHECK((*attempts)[0].number == 1);
  CHECK((*attempts)[0].http_status == 503);
  CHECK((*attempts)[0].outcome == "retry");
  CHECK((*attempts)[0].error == "http_503");
  CHECK((*attempts)[0].endpoint == "http://partner/in");
  CHECK((*attempts)[0].latency_ms == 25);
  CHECK((*attempts)[0].started_at_ms == 2000);
  CHECK((*attempts)[1].outcome == "dead_lettered");
  CHECK((*attempts)[2].number == 3);
  CHECK((*attempts)[2].outcome == "delivered");
  CHECK(store->attempts("other")->empty());
}

TEST_CASE("a replay changes only a dead message; a second record of the same attempt number is refused") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  commit_ok(*store, {}, {store_write::EnqueueMessage{outbox("m-1")}});
  commit_ok(*store, {}, {attempt("m-1", 1, MessageStatus::delivered, 200, 2000)});
  commit_ok(*store, {}, {store_write::Replay{"m-1", 9000}});
  const auto m = read(*store, "m-1");
  CHECK(m.status == MessageStatus::delivered);
  CHECK(m.cycle_started_at_ms == 1000);
  CHECK_FALSE(store->commit({}, {attempt("m-1", 1, MessageStatus::pending, 503, 2100)}).has_value());
  CHECK(read(*store, "m-1").status == MessageStatus::delivered);
}

TEST_CASE("the undelivered scan returns pending and dead messages in position order, across pages") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  std::vector<StoreWrite> writes;
  for (int i = 0; i < 1200; ++i) writes.push_back(store_write::EnqueueMessage{outbox("m-" + std::to_string(i))});
  commit_ok(*store, {}, writes);
  // Every third delivered, every fifth (not delivered) dead.
  std::vector<StoreWrite> outcomes;
  std::set<std::string> expected_dead;
  std::vector<std::string> expected;
  for (int i = 0; i < 1200; ++i) {
    const std::string id = "m-" + std::to_string(i);
    if (i % 3 == 0) {
      outcomes.push_back(attempt(id, 1, MessageStatus::delivered, 200, 2000));
    } else {
      expected.push_back(id);
      if (i % 5 == 0) {
        outcomes.push_back(attempt(id, 1, MessageStatus::dead, 400, 2000));
        expected_dead.insert(id);
      }
    }
  }
  commit_ok(*store, {}, outcomes);

  const auto list = undelivered(*store);
  REQUIRE(list.size() == expected.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    REQUIRE(list[i].id == expected[i]);
    if (i > 0) REQUIRE(list[i].position > list[i - 1].position);
    CHECK(list[i].status == (expected_dead.contains(list[i].id) ? MessageStatus::dead : MessageStatus::pending));
    CHECK(list[i].payload.is_null());  // left out of the scan
  }

  std::size_t visited = 0;
  REQUIRE(store->scan_undelivered_messages([&](const OutboxMessage&) { return ++visited < 7; }).has_value());
  CHECK(visited == 7);
}

TEST_CASE("dead letters are listed per destination in position order, with a cursor and a limit") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  std::vector<StoreWrite> writes;
  for (int i = 0; i < 10; ++i) {
    writes.push_back(store_write::EnqueueMessage{outbox("m-" + std::to_string(i), i % 2 == 0 ? "even" : "odd")});
  }
  commit_ok(*store, {}, writes);
  std::vector<StoreWrite> dead;
  for (int i = 0; i < 10; ++i) {
    if (i != 4) dead.push_back(attempt("m-" + std::to_string(i), 1, MessageStatus::dead, 400, 2000, "http_400"));
  }
  commit_ok(*store, {}, dead);

  auto all = store->dead_letters({.destination = "", .after_position = 0, .limit = 100});
  REQUIRE(all.has_value());
  CHECK(all->size() == 9);

  auto even = store->dead_letters({.destination = "even", .after_position = 0, .limit = 100});
  REQUIRE(even.has_value());
  std::vector<std::string> ids;
  for (const auto& m : *even) ids.push_back(m.id);
  CHECK(ids == std::vector<std::string>{"m-0", "m-2", "m-6", "m-8"});

  auto page1 = store->dead_letters({.destination = "even", .after_position = 0, .limit = 2});
  REQUIRE(page1->size() == 2);
  auto page2 = store->dead_letters({.destination = "even", .after_position = page1->back().position, .limit = 2});
  REQUIRE(page2->size() == 2);
  CHECK(page2->front().id == "m-6");
  CHECK(page2->back().id == "m-8");
  CHECK(store->dead_letters({.destination = "even", .after_position = page2->back().position, .limit = 2})->empty());
  CHECK(store->dead_letters({.destination = "nowhere", .after_position = 0, .limit = 10})->empty());

  // A replayed message leaves the dead letters.
  commit_ok(*store, {}, {store_write::Replay{"m-2", 5000}});
  ids.clear();
  const auto after_replay = store->dead_letters({.destination = "even", .after_position = 0, .limit = 100});
  REQUIRE(after_replay.has_value());
  for (const auto& m : *after_replay) ids.push_back(m.id);
  CHECK(ids == std::vector<std::string>{"m-0", "m-6", "m-8"});
}

TEST_CASE("dead letters can be filtered by message type, client and when they died") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  auto event_push = outbox("push", "webhook");
  event_push.type = "referral.accepted";
  auto other_client = outbox("other", "jobbtorg");
  other_client.client_id = "client-b";
  commit_ok(*store, {},
            {store_write::EnqueueMessage{outbox("early")}, store_write::EnqueueMessage{outbox("late")},
             store_write::EnqueueMessage{event_push}, store_write::EnqueueMessage{other_client}});
  // Dead at started + 25 ms latency: 1025, 9025, 5025, 5025.
  commit_ok(*store, {},
            {attempt("early", 1, MessageStatus::dead, 400, 1000), attempt("late", 1, MessageStatus::dead, 400, 9000),
             attempt("push", 1, MessageStatus::dead, 400, 5000), attempt("other", 1, MessageStatus::dead, 400, 5000)});
  const auto ids = [&](DeadLetterQuery q) {
    std::vector<std::string> out;
    auto list = store->dead_letters(q);
    REQUIRE(list.has_value());
    for (const auto& m : *list) out.push_back(m.id);
    return out;
  };
  CHECK(ids({.type = "referral.accepted"}) == std::vector<std::string>{"push"});
  CHECK(ids({.client_id = "client-b"}) == std::vector<std::string>{"other"});
  CHECK(ids({.dead_since_ms = 5000}) == std::vector<std::string>{"late", "push", "other"});
  CHECK(ids({.dead_until_ms = 5025}) == std::vector<std::string>{"early"});
  CHECK(ids({.destination = "jobbtorg", .type = "referral.requested", .client_id = "client-a", .dead_since_ms = 1000,
             .dead_until_ms = 9000}) == std::vector<std::string>{"early"});
}

TEST_CASE("messages of one ordering key are listed in acceptance order") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  commit_ok(*store, {}, {store_write::EnqueueMessage{outbox("a", "d", "k1")}, store_write::EnqueueMessage{outbox("b", "d", "k2")}});
  commit_ok(*store, {}, {store_write::EnqueueMessage{outbox("c", "d", "k1")}});
  auto list = store->messages_by_ordering_key("k1");
  REQUIRE(list.has_value());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].id == "a");
  CHECK((*list)[1].id == "c");
}

TEST_CASE("the event feed gives one client's events after a cursor, in commit order, up to the limit") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  for (int i = 1; i <= 6; ++i) {
    commit_ok(*store, {}, {event("a-" + std::to_string(i), "client-a", i), event("b-" + std::to_string(i), "client-b", i)});
  }
  auto first = store->events_after("client-a", 0, 4);
  REQUIRE(first.has_value());
  REQUIRE(first->size() == 4);
  for (int i = 0; i < 4; ++i) {
    CHECK((*first)[i].event_id == "a-" + std::to_string(i + 1));
    CHECK((*first)[i].client_id == "client-a");
    CHECK((*first)[i].envelope["n"] == i + 1);
    if (i > 0) CHECK((*first)[i].seq > (*first)[i - 1].seq);
  }
  auto rest = store->events_after("client-a", first->back().seq, 4);
  REQUIRE(rest.has_value());
  REQUIRE(rest->size() == 2);
  CHECK((*rest)[0].event_id == "a-5");
  CHECK((*rest)[1].event_id == "a-6");
  CHECK(store->events_after("client-a", rest->back().seq, 4)->empty());
  // The same read gives the same answer (a stable order for clients that re-read).
  auto again = store->events_after("client-a", 0, 4);
  for (int i = 0; i < 4; ++i) CHECK((*again)[i].seq == (*first)[i].seq);
  CHECK(store->events_after("client-c", 0, 10)->empty());
  // An event id is unique across the feed.
  CHECK_FALSE(store->commit({}, {event("a-1", "client-b", 99)}).has_value());
}

TEST_CASE("idempotency keys are per client; inbound receipts and referrals read back") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  commit_ok(*store, {},
            {store_write::PutIdempotency{IdempotencyRecord{"client-a", "k", "fp-1", 202, "{\"id\":1}", "2026-11-24"}},
             store_write::PutInboundReceipt{"jobbtorg", "msg-7", "R-1", "2026-11-24T10:00:00Z"},
             store_write::PutReferral{ReferralRecord{"R-1", "client-a", "EB-1", "jobbtorg-sodra", "191212121212", true,
                                                     "2026-11-24T10:00:00Z", {{"purpose", "insats"}}}}});
  auto key = store->idempotency("client-a", "k");
  REQUIRE(key.has_value());
  REQUIRE(key->has_value());
  CHECK((*key)->request_hash == "fp-1");
  CHECK((*key)->http_status == 202);
  CHECK((*key)->response_body == "{\"id\":1}");
  CHECK_FALSE(store->idempotency("client-b", "k")->has_value());
  CHECK_FALSE(store->idempotency("client-a", "K")->has_value());
  // Another client may use the same key.
  commit_ok(*store, {}, {store_write::PutIdempotency{IdempotencyRecord{"client-b", "k", "fp-2", 201, "", "x"}}});
  CHECK((*store->idempotency("client-b", "k"))->request_hash == "fp-2");

  CHECK(*store->inbound_seen("jobbtorg", "msg-7"));
  CHECK_FALSE(*store->inbound_seen("jobbtorg", "msg-8"));
  CHECK_FALSE(*store->inbound_seen("other", "msg-7"));
  CHECK_FALSE(store->commit({}, {store_write::PutInboundReceipt{"jobbtorg", "msg-7", "R-2", "x"}}).has_value());

  auto referral = store->referral("R-1");
  REQUIRE(referral.has_value());
  REQUIRE(referral->has_value());
  CHECK((*referral)->destination == "jobbtorg-sodra");
  CHECK((*referral)->person_id == "191212121212");
  CHECK((*referral)->protected_identity);
  CHECK((*referral)->referral == nlohmann::json{{"purpose", "insats"}});
}

TEST_CASE("everything committed survives closing and reopening the database") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  {
    auto store = open_store(file);
    commit_ok(*store, {record(1)},
              {store_write::EnqueueMessage{outbox("m-1")}, store_write::EnqueueMessage{outbox("m-2")},
               event("e-1", "client-a", 1),
               store_write::PutIdempotency{IdempotencyRecord{"client-a", "k", "fp", 201, "{}", "t"}},
               store_write::PutInboundReceipt{"jobbtorg", "x", "R-1", "t"}});
    commit_ok(*store, {record(2)}, {attempt("m-1", 1, MessageStatus::dead, 400, 2000, "http_400")});
  }
  auto store = open_store(file);
  CHECK(audit_count(*store) == 2);
  const auto list = undelivered(*store);
  REQUIRE(list.size() == 2);
  CHECK(list[0].id == "m-1");
  CHECK(list[0].status == MessageStatus::dead);
  CHECK(list[1].id == "m-2");
  CHECK(list[1].status == MessageStatus::pending);
  CHECK(read(*store, "m-2").payload["text"] == "Söderort");
  CHECK(store->attempts("m-1")->size() == 1);
  CHECK(store->events_after("client-a", 0, 10)->size() == 1);
  CHECK(store->idempotency("client-a", "k")->has_value());
  CHECK(*store->inbound_seen("jobbtorg", "x"));
  // Positions continue after the reopen.
  commit_ok(*store, {}, {store_write::EnqueueMessage{outbox("m-3")}});
  CHECK(read(*store, "m-3").position > list[1].position);
}
