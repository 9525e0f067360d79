// DeliveryLeaseStore on every backend: keys claimed when free, expired or already the claimant's;
// a new token with every change of holder; renewals that report the keys lost; releases only
// under the right token; each key's first undelivered message offered to whoever may claim it;
// the claim made with an enqueue and the fence that keeps a stale holder's attempt out.
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "conformance_support.h"
#include "store_backends.h"

using namespace knutpunkt;
using knutpunkt::conformance::BackendStore;
using knutpunkt::conformance::commit_ok;
using knutpunkt::conformance::record;

namespace {

const LaneKey kKey{"jobbtorg", "R-1"};

OutboxMessage lane_message(const std::string& id, const std::string& key = "R-1", std::int64_t due_ms = 1000,
                           const std::string& destination = "jobbtorg") {
  OutboxMessage m;
  m.id = id;
  m.destination = destination;
  m.type = "referral.requested";
  m.ordering_key = key;
  m.client_id = "client-a";
  m.case_id = "EB-" + id;
  m.payload = {{"id", id}};
  m.created_at_ms = 1000;
  m.next_attempt_at_ms = due_ms;
  return m;
}

store_write::RecordAttempt attempt(const std::string& id, int number, MessageStatus status,
                                   std::optional<store_write::LeaseFence> fence = std::nullopt) {
  DeliveryAttempt a{id,
                    number,
                    2000,
                    "http://partner/in",
                    status == MessageStatus::delivered ? 200 : 400,
                    25,
                    status == MessageStatus::delivered ? "delivered" : "dead_lettered",
                    status == MessageStatus::delivered ? "" : "http_400"};
  return store_write::RecordAttempt{a, status, 0, a.error, std::move(fence)};
}

std::optional<std::int64_t> claim(Store& store, const LaneKey& key, const std::string& holder, std::int64_t now,
                                  std::int64_t until) {
  auto token = store.claim_lease(key, holder, now, until);
  INFO((token ? std::string() : token.error().code + ": " + token.error().message));
  REQUIRE(token.has_value());
  return *token;
}

DeliveryLease lease_of(Store& store, const LaneKey& key) {
  auto l = store.lease(key);
  REQUIRE(l.has_value());
  REQUIRE(l->has_value());
  return **l;
}

std::vector<std::string> ids(const std::vector<OutboxMessage>& list) {
  std::vector<std::string> out;
  for (const OutboxMessage& m : list) out.push_back(m.id);
  return out;
}

std::vector<std::string> claimable(Store& store, const std::string& holder, std::int64_t now, std::int64_t due_by,
                                   std::int64_t after = 0, int limit = 100) {
  auto list = store.claimable_messages(holder, now, due_by, after, limit);
  INFO((list ? std::string() : list.error().code + ": " + list.error().message));
  REQUIRE(list.has_value());
  return ids(*list);
}

}  // namespace

TEST_CASE("a free key is claimed with a token; another holder's live lease refuses the claim and stays as it was") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  CHECK_FALSE(store->lease(kKey)->has_value());

  const auto token = claim(*store, kKey, "gw-a", 1000, 5000);
  REQUIRE(token.has_value());
  auto held = lease_of(*store, kKey);
  CHECK(held.holder == "gw-a");
  CHECK(held.token == *token);
  CHECK(held.expires_at_ms == 5000);

  CHECK_FALSE(claim(*store, kKey, "gw-b", 4999, 9000).has_value());
  held = lease_of(*store, kKey);
  CHECK(held.holder == "gw-a");
  CHECK(held.token == *token);
  CHECK(held.expires_at_ms == 5000);
  // Another key is free all the same.
  CHECK(claim(*store, LaneKey{"jobbtorg", "R-2"}, "gw-b", 4999, 9000).has_value());
  CHECK(claim(*store, LaneKey{"region", "R-1"}, "gw-b", 4999, 9000).has_value());
}

TEST_CASE("the holder's own live lease keeps its token when claimed again and is never shortened") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const auto token = claim(*store, kKey, "gw-a", 1000, 5000);
  CHECK(claim(*store, kKey, "gw-a", 2000, 8000) == token);
  CHECK(lease_of(*store, kKey).expires_at_ms == 8000);
  CHECK(claim(*store, kKey, "gw-a", 3000, 6000) == token);
  CHECK(lease_of(*store, kKey).expires_at_ms == 8000);
}

TEST_CASE("an expired lease is taken over, and the token changes with every change of holder") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const auto a1 = claim(*store, kKey, "gw-a", 1000, 5000);
  REQUIRE(a1.has_value());
  // At expiry the lease is no longer live.
  const auto b1 = claim(*store, kKey, "gw-b", 5000, 9000);
  REQUIRE(b1.has_value());
  CHECK(*b1 != *a1);
  CHECK(lease_of(*store, kKey).holder == "gw-b");
  CHECK(lease_of(*store, kKey).expires_at_ms == 9000);

  const auto a2 = claim(*store, kKey, "gw-a", 9500, 12000);
  REQUIRE(a2.has_value());
  CHECK(*a2 != *a1);
  CHECK(*a2 != *b1);
  // The holder's own lease, once expired, is claimed again under a new token too: whatever it
  // started under the old one may have been overtaken meanwhile.
  const auto a3 = claim(*store, kKey, "gw-a", 12000, 15000);
  REQUIRE(a3.has_value());
  CHECK(*a3 != *a2);
}

TEST_CASE("renewing extends the leases still held under their token and returns the keys lost") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const LaneKey kept{"jobbtorg", "R-1"};
  const LaneKey taken{"jobbtorg", "R-2"};
  const LaneKey quoted{"region", "R \"3\" \\ {x,y}"};  // any text travels as one key
  const auto t1 = claim(*store, kept, "gw-a", 1000, 5000);
  const auto t2 = claim(*store, taken, "gw-a", 1000, 5000);
  const auto t3 = claim(*store, quoted, "gw-a", 1000, 5000);
  REQUIRE((t1 && t2 && t3));
  REQUIRE(claim(*store, taken, "gw-b", 6000, 10000).has_value());

  auto lost = store->renew_leases("gw-a", {{kept, *t1}, {taken, *t2}, {quoted, *t3}}, 20000);
  REQUIRE(lost.has_value());
  CHECK(*lost == std::vector<LaneKey>{taken});
  CHECK(lease_of(*store, kept).expires_at_ms == 20000);
  CHECK(lease_of(*store, quoted).expires_at_ms == 20000);
  CHECK(lease_of(*store, taken).holder == "gw-b");
  CHECK(lease_of(*store, taken).expires_at_ms == 10000);

  // A wrong token is a lost lease, even for the holder named on it.
  lost = store->renew_leases("gw-a", {{kept, *t1 + 1}}, 30000);
  REQUIRE(lost.has_value());
  CHECK(*lost == std::vector<LaneKey>{kept});
  CHECK(lease_of(*store, kept).expires_at_ms == 20000);
  CHECK(store->renew_leases("gw-a", {}, 30000)->empty());
}

TEST_CASE("a release gives up only the leases held under the given token, and the key is claimable at once") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const LaneKey other{"jobbtorg", "R-2"};
  const auto t1 = claim(*store, kKey, "gw-a", 1000, 50000);
  const auto t2 = claim(*store, other, "gw-a", 1000, 50000);
  REQUIRE((t1 && t2));

  REQUIRE(store->release_leases("gw-a", {{kKey, *t1 + 1}, {other, *t2}}).has_value());
  REQUIRE(store->release_leases("gw-b", {{kKey, *t1}}).has_value());
  CHECK(lease_of(*store, kKey).expires_at_ms == 50000);
  CHECK(claim(*store, kKey, "gw-b", 2000, 9000) == std::nullopt);

  // Released: the row stays, expired, and the next holder gets a new token.
  CHECK(lease_of(*store, other).expires_at_ms == 0);
  const auto taken = claim(*store, other, "gw-b", 2000, 9000);
  REQUIRE(taken.has_value());
  CHECK(*taken != *t2);
  REQUIRE(store->release_leases("gw-a", {{kKey, *t1}}).has_value());
  CHECK(lease_of(*store, kKey).expires_at_ms == 0);
}

TEST_CASE("claimable messages are each key's first undelivered one, unless another holder's lease is live") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(
      *store, {},
      {store_write::EnqueueMessage{lane_message("a-1", "A")}, store_write::EnqueueMessage{lane_message("a-2", "A")},
       store_write::EnqueueMessage{lane_message("b-1", "B")}, store_write::EnqueueMessage{lane_message("c-1", "C")},
       store_write::EnqueueMessage{lane_message("d-1", "D")}, store_write::EnqueueMessage{lane_message("e-1", "E")},
       store_write::EnqueueMessage{lane_message("e-2", "E")},
       store_write::EnqueueMessage{lane_message("x-1", "A", 1000, "region")}});
  // A: a-1 delivered, so a-2 is its first. E: e-1 dead, so e-1 is returned and e-2 never.
  commit_ok(*store, {}, {attempt("a-1", 1, MessageStatus::delivered), attempt("e-1", 1, MessageStatus::dead)});
  REQUIRE(claim(*store, LaneKey{"jobbtorg", "B"}, "gw-b", 1000, 5000).has_value());  // live, another's
  REQUIRE(claim(*store, LaneKey{"jobbtorg", "C"}, "gw-b", 1000, 2000).has_value());  // expired by 3000
  REQUIRE(claim(*store, LaneKey{"jobbtorg", "D"}, "gw-a", 1000, 5000).has_value());  // gw-a's own

  CHECK(claimable(*store, "gw-a", 3000, 3000) == std::vector<std::string>{"a-2", "c-1", "d-1", "e-1", "x-1"});
  CHECK(claimable(*store, "gw-b", 3000, 3000) == std::vector<std::string>{"a-2", "b-1", "c-1", "e-1", "x-1"});
  // Once gw-b's lease on B has expired, gw-a may take B's message too.
  CHECK(claimable(*store, "gw-a", 5000, 5000) == std::vector<std::string>{"a-2", "b-1", "c-1", "d-1", "e-1", "x-1"});
}

TEST_CASE("claimable messages are due by the given time (a dead first message always) and page by position") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {},
            {store_write::EnqueueMessage{lane_message("m-1", "A", 1000)},
             store_write::EnqueueMessage{lane_message("m-2", "B", 8000)},
             store_write::EnqueueMessage{lane_message("m-3", "C", 9000)},
             store_write::EnqueueMessage{lane_message("m-4", "D", 1000)},
             store_write::EnqueueMessage{lane_message("m-5", "E", 1000)}});
  commit_ok(*store, {}, {attempt("m-3", 1, MessageStatus::dead)});

  CHECK(claimable(*store, "gw-a", 1000, 2000) == std::vector<std::string>{"m-1", "m-3", "m-4", "m-5"});
  CHECK(claimable(*store, "gw-a", 1000, 8000) == std::vector<std::string>{"m-1", "m-2", "m-3", "m-4", "m-5"});

  auto first = store->claimable_messages("gw-a", 1000, 8000, 0, 2);
  REQUIRE(first.has_value());
  REQUIRE(ids(*first) == std::vector<std::string>{"m-1", "m-2"});
  CHECK(first->front().destination == "jobbtorg");
  CHECK(first->front().ordering_key == "A");
  CHECK(first->front().status == MessageStatus::pending);
  CHECK(first->front().payload.is_null());
  CHECK(claimable(*store, "gw-a", 1000, 8000, first->back().position, 2) == std::vector<std::string>{"m-3", "m-4"});
  CHECK(claimable(*store, "gw-a", 1000, 8000, first->back().position, -1) ==
        std::vector<std::string>{"m-3", "m-4", "m-5"});
}

TEST_CASE("a key's undelivered messages, pending and dead, are listed in position order") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {},
            {store_write::EnqueueMessage{lane_message("m-1")}, store_write::EnqueueMessage{lane_message("m-2")},
             store_write::EnqueueMessage{lane_message("m-3")}, store_write::EnqueueMessage{lane_message("o-1", "R-2")},
             store_write::EnqueueMessage{lane_message("o-2", "R-1", 1000, "region")}});
  commit_ok(*store, {}, {attempt("m-1", 1, MessageStatus::delivered), attempt("m-2", 1, MessageStatus::dead)});
  auto list = store->undelivered_messages(kKey);
  REQUIRE(list.has_value());
  CHECK(ids(*list) == std::vector<std::string>{"m-2", "m-3"});
  CHECK(list->front().status == MessageStatus::dead);
  CHECK(store->undelivered_messages(LaneKey{"jobbtorg", "none"})->empty());
}

TEST_CASE("an enqueued message claims its key for the accepting instance unless another's lease is live") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const store_write::LeaseClaim by_a{"gw-a", 1000, 5000};
  commit_ok(*store, {record(1)}, {store_write::EnqueueMessage{lane_message("m-1"), by_a}});
  auto held = lease_of(*store, kKey);
  CHECK(held.holder == "gw-a");
  CHECK(held.expires_at_ms == 5000);

  // gw-b's message is stored all the same; the key stays gw-a's.
  commit_ok(*store, {record(2)},
            {store_write::EnqueueMessage{lane_message("m-2"), store_write::LeaseClaim{"gw-b", 2000, 9000}}});
  CHECK(lease_of(*store, kKey).holder == "gw-a");
  CHECK(lease_of(*store, kKey).token == held.token);
  CHECK(store->message("m-2")->has_value());

  // Once it has expired, gw-b's acceptance takes the key, under a new token.
  commit_ok(*store, {record(3)},
            {store_write::EnqueueMessage{lane_message("m-3"), store_write::LeaseClaim{"gw-b", 5000, 9000}}});
  CHECK(lease_of(*store, kKey).holder == "gw-b");
  CHECK(lease_of(*store, kKey).token != held.token);
  // Without a claim nothing happens to the lease.
  commit_ok(*store, {record(4)}, {store_write::EnqueueMessage{lane_message("o-1", "R-9")}});
  CHECK_FALSE(store->lease(LaneKey{"jobbtorg", "R-9"})->has_value());
}

TEST_CASE("an attempt under the current token is recorded and extends the lease") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {}, {store_write::EnqueueMessage{lane_message("m-1")}});
  const auto token = claim(*store, kKey, "gw-a", 1000, 5000);
  REQUIRE(token.has_value());
  commit_ok(*store, {record(1)},
            {attempt("m-1", 1, MessageStatus::delivered, store_write::LeaseFence{kKey, "gw-a", *token, 7000})});
  CHECK(store->message("m-1").value()->status == MessageStatus::delivered);
  CHECK(lease_of(*store, kKey).expires_at_ms == 7000);
  CHECK(lease_of(*store, kKey).token == *token);
}

TEST_CASE("an attempt under a token that was taken over fails with lease_lost and the commit records nothing") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {}, {store_write::EnqueueMessage{lane_message("m-1")}});
  const auto stale = claim(*store, kKey, "gw-a", 1000, 5000);
  REQUIRE(stale.has_value());
  const auto current = claim(*store, kKey, "gw-b", 6000, 10000);
  REQUIRE(current.has_value());

  auto refused = store->commit(
      {record(1)}, {store_write::EnqueueMessage{lane_message("m-2", "R-2")},
                    attempt("m-1", 1, MessageStatus::delivered, store_write::LeaseFence{kKey, "gw-a", *stale, 12000})});
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == "lease_lost");
  CHECK(store->message("m-1").value()->status == MessageStatus::pending);
  CHECK(store->attempts("m-1")->empty());
  CHECK_FALSE(store->message("m-2")->has_value());
  CHECK_FALSE(store->last_audit_record()->has_value());
  CHECK(lease_of(*store, kKey).holder == "gw-b");
  CHECK(lease_of(*store, kKey).expires_at_ms == 10000);

  // The right holder's token under another holder's name does not pass either.
  refused = store->commit(
      {}, {attempt("m-1", 1, MessageStatus::delivered, store_write::LeaseFence{kKey, "gw-a", *current, 12000})});
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == "lease_lost");
  CHECK(store->attempts("m-1")->empty());
}

TEST_CASE("instances claiming one key at once on PostgreSQL leave exactly one holder") {
  BackendStore first("postgresql");
  std::unique_ptr<Store> second = first.open_another();
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const LaneKey key{"jobbtorg", "race-" + std::to_string(round)};
    std::atomic<int> ready = 0;
    std::atomic<int> winners = 0;
    std::atomic<int> failures = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      Store& store = i % 2 == 0 ? *first : *second;
      threads.emplace_back([&, i, &store = store] {
        const std::string holder = "gw-" + std::to_string(i);
        ++ready;
        while (ready.load() < kThreads) std::this_thread::yield();
        auto token = store.claim_lease(key, holder, 1000, 60000);
        if (!token)
          ++failures;
        else if (token->has_value())
          ++winners;
      });
    }
    for (std::thread& t : threads) t.join();
    INFO("round " << round);
    CHECK(failures.load() == 0);
    CHECK(winners.load() == 1);
  }
}
