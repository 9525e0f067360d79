// OutboxStore on every backend: messages enqueued, moved by attempts and replays, scanned for
// delivery, listed as dead letters and by ordering key.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "conformance_support.h"
#include "store_backends.h"

using namespace knutpunkt;
using knutpunkt::conformance::attempt;
using knutpunkt::conformance::BackendStore;
using knutpunkt::conformance::commit_ok;
using knutpunkt::conformance::read;
using knutpunkt::conformance::record;
using knutpunkt::conformance::undelivered;

namespace {

OutboxMessage queued_message(const std::string& id, const std::string& destination = "jobbtorg",
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

// A message of a SIP plan, as the SIP service enqueues it.
OutboxMessage sip_outbox(const std::string& id) {
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

}  // namespace

TEST_CASE("two messages with the same id in one batch store neither") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  REQUIRE_FALSE(store
                    ->commit({}, {store_write::EnqueueMessage{queued_message("m-1")},
                                  store_write::EnqueueMessage{queued_message("m-2")},
                                  store_write::EnqueueMessage{queued_message("m-1")}})
                    .has_value());
  CHECK(undelivered(*store).empty());
}

TEST_CASE("an enqueued message reads back field for field as pending, with a store-assigned position") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {},
            {store_write::EnqueueMessage{queued_message("m-1")}, store_write::EnqueueMessage{queued_message("m-2")}});
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
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {}, {store_write::EnqueueMessage{queued_message("m-1")}});

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
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {}, {store_write::EnqueueMessage{queued_message("m-1")}});
  commit_ok(*store, {}, {attempt("m-1", 1, MessageStatus::delivered, 200, 2000)});
  commit_ok(*store, {}, {store_write::Replay{"m-1", 9000}});
  const auto m = read(*store, "m-1");
  CHECK(m.status == MessageStatus::delivered);
  CHECK(m.cycle_started_at_ms == 1000);
  CHECK_FALSE(store->commit({}, {attempt("m-1", 1, MessageStatus::pending, 503, 2100)}).has_value());
  CHECK(read(*store, "m-1").status == MessageStatus::delivered);
}

TEST_CASE("the undelivered scan returns pending and dead messages in position order, across pages") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  std::vector<StoreWrite> writes;
  for (int i = 0; i < 1200; ++i)
    writes.push_back(store_write::EnqueueMessage{queued_message("m-" + std::to_string(i))});
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
  STORE_BACKEND(backend);
  BackendStore store(backend);
  std::vector<StoreWrite> writes;
  for (int i = 0; i < 10; ++i) {
    writes.push_back(
        store_write::EnqueueMessage{queued_message("m-" + std::to_string(i), i % 2 == 0 ? "even" : "odd")});
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
  STORE_BACKEND(backend);
  BackendStore store(backend);
  auto event_push = queued_message("push", "webhook");
  event_push.type = "referral.accepted";
  auto other_client = queued_message("other", "jobbtorg");
  other_client.client_id = "client-b";
  commit_ok(*store, {},
            {store_write::EnqueueMessage{queued_message("early")}, store_write::EnqueueMessage{queued_message("late")},
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
  CHECK(ids({.destination = "jobbtorg",
             .type = "referral.requested",
             .client_id = "client-a",
             .dead_since_ms = 1000,
             .dead_until_ms = 9000}) == std::vector<std::string>{"early"});
}

TEST_CASE("messages of one ordering key are listed in acceptance order") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {},
            {store_write::EnqueueMessage{queued_message("a", "d", "k1")},
             store_write::EnqueueMessage{queued_message("b", "d", "k2")}});
  commit_ok(*store, {}, {store_write::EnqueueMessage{queued_message("c", "d", "k1")}});
  auto list = store->messages_by_ordering_key("k1");
  REQUIRE(list.has_value());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].id == "a");
  CHECK((*list)[1].id == "c");
}

TEST_CASE("a withheld message reads back as withheld and is neither undelivered, a dead letter nor replayable") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {},
            {store_write::EnqueueMessage{sip_outbox("m-1")}, store_write::EnqueueMessage{sip_outbox("m-2")}});
  DeliveryAttempt a{"m-1", 1, 5000, "", 0, 0, "withheld", "consent_withdrawn"};
  commit_ok(*store, {}, {store_write::RecordAttempt{a, MessageStatus::withheld, 0, "consent_withdrawn"}});
  commit_ok(*store, {}, {store_write::Replay{"m-1", 9000}});
  store.reopen();
  const auto m = store->message("m-1").value();
  REQUIRE(m.has_value());
  CHECK(m->status == MessageStatus::withheld);
  CHECK(m->delivered_at_ms == 0);
  CHECK(m->dead_at_ms == 0);
  CHECK(m->attempts == 1);
  CHECK(m->last_error == "consent_withdrawn");
  CHECK(store->attempts("m-1").value().size() == 1);

  const auto scan = undelivered(*store);
  REQUIRE(scan.size() == 1);
  CHECK(scan[0].id == "m-2");
  CHECK(store->dead_letters(DeadLetterQuery{}).value().empty());
  CHECK(store->messages_by_ordering_key("SIP-1").value().size() == 2);

  CHECK(to_string(MessageStatus::withheld) == "withheld");
  CHECK(parse_message_status("withheld") == MessageStatus::withheld);
  CHECK(parse_message_status("withdrawn") == std::nullopt);
}

TEST_CASE("an enqueued message keeps its id, and reads back the same by id, by ordering key and in the scan") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  OutboxMessage sent = queued_message("m-1", "webhook-a", "K-7");
  sent.payload = {{"ärende", "EB-1"}, {"belopp_ore", 125000}, {"rader", {1, 2, 3}}};
  commit_ok(*store, {}, {store_write::EnqueueMessage{sent}});
  const auto by_id = read(*store, "m-1");
  CHECK(by_id.id == "m-1");
  CHECK(by_id.destination == "webhook-a");
  CHECK(by_id.ordering_key == "K-7");
  CHECK(by_id.payload == sent.payload);
  CHECK(by_id.delivered_at_ms == 0);
  CHECK(by_id.dead_at_ms == 0);
  CHECK(by_id.last_error.empty());

  const auto keyed = store->messages_by_ordering_key("K-7").value();
  REQUIRE(keyed.size() == 1);
  const auto scanned = undelivered(*store);
  REQUIRE(scanned.size() == 1);
  for (const OutboxMessage& m : {keyed[0], scanned[0]}) {
    CHECK(m.id == by_id.id);
    CHECK(m.destination == by_id.destination);
    CHECK(m.type == by_id.type);
    CHECK(m.ordering_key == by_id.ordering_key);
    CHECK(m.client_id == by_id.client_id);
    CHECK(m.case_id == by_id.case_id);
    CHECK(m.status == by_id.status);
    CHECK(m.attempts == by_id.attempts);
    CHECK(m.cycle_attempts == by_id.cycle_attempts);
    CHECK(m.created_at_ms == by_id.created_at_ms);
    CHECK(m.cycle_started_at_ms == by_id.cycle_started_at_ms);
    CHECK(m.next_attempt_at_ms == by_id.next_attempt_at_ms);
    CHECK(m.position == by_id.position);
  }
}

TEST_CASE("a dead letter reads back with when it died and why") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {}, {store_write::EnqueueMessage{queued_message("m-1")}});
  commit_ok(*store, {}, {attempt("m-1", 1, MessageStatus::dead, 422, 7000, "http_422")});
  const auto dead = store->dead_letters(DeadLetterQuery{}).value();
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].id == "m-1");
  CHECK(dead[0].status == MessageStatus::dead);
  CHECK(dead[0].dead_at_ms == 7025);
  CHECK(dead[0].last_error == "http_422");
  CHECK(dead[0].attempts == 1);
  CHECK(dead[0].destination == "jobbtorg");
  CHECK(dead[0].type == "referral.requested");
  CHECK(dead[0].client_id == "client-a");
  CHECK(dead[0].case_id == "EB-m-1");
  CHECK(dead[0].position == read(*store, "m-1").position);
  const auto attempts = store->attempts("m-1").value();
  REQUIRE(attempts.size() == 1);
  CHECK(attempts[0].message_id == "m-1");
  CHECK(attempts[0].number == 1);
  CHECK(attempts[0].started_at_ms == 7000);
  CHECK(attempts[0].endpoint == "http://partner/in");
  CHECK(attempts[0].http_status == 422);
  CHECK(attempts[0].latency_ms == 25);
  CHECK(attempts[0].outcome == "dead_lettered");
  CHECK(attempts[0].error == "http_422");
}
