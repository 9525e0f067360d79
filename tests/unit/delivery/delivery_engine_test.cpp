// The delivery engine against a real loopback receiver and a real SQLite store.
#include "delivery/delivery_engine.h"

#include <atomic>
#include <catch2/catch.hpp>

#include "../audit/forwarding_store.h"
#include "audit/audit_verifier.h"
#include "delivery_harness.h"
#include "test_pki.h"

using namespace delivery_test;
using knutpunkt::MessageStatus;
using knutpunkt::delivery::ReplayOutcome;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

long long ms_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return duration_cast<milliseconds>(b - a).count();
}

// The database goes away while answering COMMIT: the first commit `chosen` picks lands, but the
// writer hears an error, and cannot read the log back to find out (the next audit read fails
// too). The outcome is unknown to it.
class LosesCommitAnswer final : public audit_test::ForwardingStore {
 public:
  using Choice = std::function<bool(const knutpunkt::StoreWrite&)>;
  LosesCommitAnswer(knutpunkt::Store& inner, Choice chosen) : ForwardingStore(inner), chosen_(std::move(chosen)) {}

  std::expected<void, knutpunkt::StoreError> commit_sealed(std::vector<knutpunkt::CommitEntry>& entries,
                                                           const knutpunkt::AuditSeal& seal) override {
    const bool chosen = !lost_ && std::any_of(entries.begin(), entries.end(), [&](const knutpunkt::CommitEntry& e) {
      return std::any_of(e.writes.begin(), e.writes.end(), chosen_);
    });
    auto landed = ForwardingStore::commit_sealed(entries, seal);
    if (!chosen || !landed) return landed;
    lost_ = true;
    unreadable_ = true;
    return std::unexpected(knutpunkt::StoreError{"postgresql_unavailable", "server closed the connection"});
  }
  std::expected<void, knutpunkt::StoreError> scan_audit(
      std::int64_t from, const std::function<bool(const knutpunkt::AuditRecord&)>& visit) override {
    if (unreadable_.exchange(false)) {
      return std::unexpected(knutpunkt::StoreError{"postgresql_unavailable", "connection refused"});
    }
    return ForwardingStore::scan_audit(from, visit);
  }
  std::expected<std::optional<knutpunkt::AuditRecord>, knutpunkt::StoreError> last_audit_record() override {
    if (unreadable_.exchange(false)) {
      return std::unexpected(knutpunkt::StoreError{"postgresql_unavailable", "connection refused"});
    }
    return ForwardingStore::last_audit_record();
  }
  bool lost() const { return lost_; }

 private:
  Choice chosen_;
  std::atomic<bool> lost_{false};
  std::atomic<bool> unreadable_{false};
};

LosesCommitAnswer::Choice attempt_of(const std::string& message_id, const std::string& outcome) {
  return [=](const knutpunkt::StoreWrite& w) {
    const auto* a = std::get_if<knutpunkt::store_write::RecordAttempt>(&w);
    return a && a->attempt.message_id == message_id && a->attempt.outcome == outcome;
  };
}

// The stack's wrapper: the store double that loses the answer to the commit `chosen` picks,
// kept in `made` for the test to ask.
DeliveryStack::Wrap losing_answer(LosesCommitAnswer::Choice chosen, LosesCommitAnswer*& made) {
  return [chosen = std::move(chosen), &made](knutpunkt::Store& real) {
    auto store = std::make_unique<LosesCommitAnswer>(real, chosen);
    made = store.get();
    return std::unique_ptr<knutpunkt::Store>(std::move(store));
  };
}

}  // namespace

TEST_CASE("an attempt whose commit landed unbeknown to the engine is not sent again, and its key goes on") {
  TempDir dir;
  Receiver receiver;
  receiver.script([](const std::string&, int) { return Answer{200, ""}; });
  const auto first = message("partner", "R-1", "first");
  const auto second = message("partner", "R-1", "second");
  LosesCommitAnswer* double_ = nullptr;
  DeliveryStack stack(dir.path / "k.db", losing_answer(attempt_of(first.id, "delivered"), double_));
  stack.add(fast_settings("partner"), receiver.url());
  stack.start();

  stack.submit(first);
  REQUIRE(eventually([&] { return double_->lost(); }));
  stack.submit(second);
  REQUIRE(eventually([&] { return stack.status_is(second.id, MessageStatus::delivered); }));
  CHECK(receiver.seen("first").size() == 1);
  CHECK(receiver.seen("second").size() == 1);
  CHECK(stack.attempts(first.id).size() == 1);
  CHECK(stack.audit_records("delivery.attempt", first.id).size() == 1);
  CHECK(knutpunkt::verify_chain(*stack.store)->intact());
}

TEST_CASE("a retry whose record landed unbeknown to the engine is followed by an attempt with the next number") {
  TempDir dir;
  Receiver receiver;
  receiver.script([](const std::string&, int nth) { return Answer{nth == 1 ? 503 : 200, ""}; });
  const auto m = message("partner", "R-1", "m1");
  LosesCommitAnswer* double_ = nullptr;
  DeliveryStack stack(dir.path / "k.db", losing_answer(attempt_of(m.id, "retry"), double_));
  stack.add(fast_settings("partner"), receiver.url());
  stack.start();

  stack.submit(m);
  REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::delivered); }));
  CHECK(double_->lost());
  const auto attempts = stack.attempts(m.id);
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].number == 1);
  CHECK(attempts[0].outcome == "retry");
  CHECK(attempts[1].number == 2);
  CHECK(attempts[1].outcome == "delivered");
  CHECK(receiver.seen("m1").size() == 2);
}

TEST_CASE("messages a commit enqueued whose answer was lost are delivered at the next tick, not after the lease") {
  TempDir dir;
  Receiver receiver;
  receiver.script([](const std::string&, int) { return Answer{200, ""}; });
  const auto m = message("partner", "R-1", "m1");
  LosesCommitAnswer* double_ = nullptr;
  const auto enqueues_m = [id = m.id](const knutpunkt::StoreWrite& w) {
    const auto* e = std::get_if<knutpunkt::store_write::EnqueueMessage>(&w);
    return e && e->message.id == id;
  };
  DeliveryStack stack(dir.path / "k.db", losing_answer(enqueues_m, double_));
  stack.add(fast_settings("partner"), receiver.url());
  // A lease far longer than the wait below: only the takeover tick can find the message.
  stack.engine->set_leases({"instance-1", 60000ms, 50ms, 100});
  stack.start();

  std::promise<bool> durable;
  stack.engine->submit("referral.accepted", {{"message_id", m.id}}, {knutpunkt::store_write::EnqueueMessage{m}},
                       [&](auto receipt) { durable.set_value(receipt.has_value()); });
  REQUIRE_FALSE(durable.get_future().get());
  REQUIRE(double_->lost());
  REQUIRE(stack.stored(m.id).has_value());
  CHECK(eventually([&] { return stack.status_is(m.id, MessageStatus::delivered); }));
  CHECK(receiver.seen("m1").size() == 1);
}

TEST_CASE("a message the receiver refuses with 503 three times is retried and delivered on the fourth attempt") {
  TempDir dir;
  Receiver receiver;
  receiver.script([](const std::string&, int nth) { return Answer{nth <= 3 ? 503 : 200, ""}; });
  DeliveryStack stack(dir.path / "k.db");
  stack.add(fast_settings("partner"), receiver.url());
  stack.start();

  const auto m = message("partner", "R-1", "m1");
  stack.submit(m);
  REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::delivered); }));

  const auto seen = receiver.seen("m1");
  REQUIRE(seen.size() == 4);
  for (const Seen& s : seen) CHECK(s.message_id == m.id);  // the same Idempotency-Key every time
  // Backoff 20, 40, 80 ms (no jitter): each wait at least the backoff (a little timer slack allowed).
  CHECK(ms_between(seen[0].at, seen[1].at) >= 15);
  CHECK(ms_between(seen[1].at, seen[2].at) >= 35);
  CHECK(ms_between(seen[2].at, seen[3].at) >= 75);

  const auto attempts = stack.attempts(m.id);
  REQUIRE(attempts.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(attempts[i].number == i + 1);
    CHECK(attempts[i].http_status == 503);
    CHECK(attempts[i].outcome == "retry");
    CHECK(attempts[i].error == "http_503");
  }
  CHECK(attempts[3].number == 4);
  CHECK(attempts[3].http_status == 200);
  CHECK(attempts[3].outcome == "delivered");
  CHECK(attempts[3].endpoint == receiver.url() + "/in");

  const auto stored = stack.stored(m.id);
  CHECK(stored->attempts == 4);
  CHECK(stored->delivered_at_ms > 0);
  CHECK(stored->last_error.empty());
  // Every attempt is in the audit chain, and so is the acceptance.
  CHECK(stack.audit_records("delivery.attempt", m.id).size() == 4);
  CHECK(stack.audit_records("referral.accepted", m.id).size() == 1);

  // Counted once delivered; nothing left in the queue.
  REQUIRE(eventually([&] { return stack.metrics("partner").queue_depth == 0; }));
  const auto metrics = stack.metrics("partner");
  CHECK(metrics.delivered == 1);
  CHECK(metrics.retried == 3);
  CHECK(metrics.in_flight == 0);
}

TEST_CASE("a 400 goes to the dead letters after one attempt") {
  TempDir dir;
  Receiver receiver;
  receiver.script([](const std::string&, int) { return Answer{400, ""}; });
  DeliveryStack stack(dir.path / "k.db");
  stack.add(fast_settings("partner"), receiver.url());
  stack.start();

  const auto m = message("partner", "R-1", "m1");
  stack.submit(m);
  REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::dead); }));
  std::this_thread::sleep_for(200ms);  // long enough for several retries, were there any
  CHECK(receiver.count() == 1);
  const auto attempts = stack.attempts(m.id);
  REQUIRE(attempts.size() == 1);
  CHECK(attempts[0].outcome == "dead_lettered");
  CHECK(attempts[0].http_status == 400);
  CHECK(stack.stored(m.id)->last_error == "http_400");
  CHECK(stack.stored(m.id)->dead_at_ms > 0);

  const auto dead = stack.audit_records("delivery.dead_lettered", m.id);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].body["reason"] == "final_status");
  CHECK(dead[0].body["http_status"] == 400);

  auto letters = stack.store->dead_letters({.destination = "partner", .after_position = 0, .limit = 10});
  REQUIRE(letters.has_value());
  REQUIRE(letters->size() == 1);
  CHECK(letters->front().id == m.id);
  CHECK(stack.metrics("partner").dead_lettered == 1);
}

TEST_CASE("a message the adapter cannot render is dead-lettered without being sent") {
  TempDir dir;
  Receiver receiver;
  DeliveryStack stack(dir.path / "k.db");
  stack.add(fast_settings("partner"), receiver.url());
  stack.start();

  const auto m = message("partner", "R-1", "bad", {{"unrenderable", true}});
  stack.submit(m);
  REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::dead); }));
  CHECK(receiver.count() == 0);
  const auto attempts = stack.attempts(m.id);
  REQUIRE(attempts.size() == 1);
  CHECK(attempts[0].error.rfind("render_failed", 0) == 0);
}

TEST_CASE("the breaker opens after threshold failures, stops attempts while open, and closes when a probe succeeds") {
  TempDir dir;
  Receiver receiver;
  // The receiver is down for the first four requests: three open the breaker, the fourth is
  // the first probe, which fails and reopens it. The second probe succeeds.
  int requests = 0;
  receiver.script([&requests](const std::string&, int) { return Answer{++requests <= 4 ? 503 : 200, ""}; });
  DeliveryStack stack(dir.path / "k.db");
  auto settings = fast_settings("partner");
  settings.breaker.failure_threshold = 3;
  settings.breaker.open_for = 400ms;
  stack.add(settings, receiver.url());
  stack.start();

  const auto m1 = message("partner", "R-1", "m1");
  stack.submit(m1);
  REQUIRE(eventually([&] { return receiver.count() >= 3; }));
  REQUIRE(eventually([&] { return stack.metrics("partner").breaker_state == 2; }, 1000ms));

  // Another key's message arriving while the circuit is open is held too.
  const auto m2 = message("partner", "R-2", "m2");
  stack.submit(m2);
  std::this_thread::sleep_for(150ms);
  CHECK(receiver.count() == 3);
  CHECK(receiver.seen("m2").empty());

  REQUIRE(eventually([&] { return stack.status_is(m1.id, MessageStatus::delivered); }, 5000ms));
  REQUIRE(eventually([&] { return stack.status_is(m2.id, MessageStatus::delivered); }, 5000ms));
  const auto all = receiver.seen();
  REQUIRE(all.size() == 6);  // 3 failures, failed probe, successful probe, the other message
  CHECK(all[2].status == 503);
  CHECK(all[3].status == 503);
  CHECK(all[4].status == 200);
  // While open nothing reaches the receiver: open_for after the third failure, and again after
  // the failed probe (each half-open period lets exactly one probe through).
  CHECK(ms_between(all[2].at, all[3].at) >= 350);
  CHECK(ms_between(all[3].at, all[4].at) >= 350);
  // Once the probe closed the breaker the other message goes without waiting for open_for.
  CHECK(ms_between(all[4].at, all[5].at) < 300);
  CHECK(all[4].label != all[5].label);
  REQUIRE(eventually([&] { return stack.metrics("partner").breaker_state == 0; }));
}

TEST_CASE("a 429 with Retry-After: 1 is not tried again before about a second has passed") {
  TempDir dir;
  Receiver receiver;
  receiver.script([](const std::string&, int nth) { return nth == 1 ? Answer{429, "1"} : Answer{200, ""}; });
  DeliveryStack stack(dir.path / "k.db");
  stack.add(fast_settings("partner"), receiver.url());  // backoff would be 20 ms
  stack.start();

  const auto m = message("partner", "R-1", "m1");
  stack.submit(m);
  REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::delivered); }, 5000ms));
  const auto seen = receiver.seen("m1");
  REQUIRE(seen.size() == 2);
  const auto gap = ms_between(seen[0].at, seen[1].at);
  CHECK(gap >= 950);
  CHECK(gap < 3000);
  const auto attempts = stack.attempts(m.id);
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].http_status == 429);
  CHECK(attempts[0].outcome == "retry");
}

TEST_CASE("a Retry-After longer than max_retry_after waits only max_retry_after") {
  TempDir dir;
  Receiver receiver;
  receiver.script([](const std::string&, int nth) { return nth == 1 ? Answer{503, "3600"} : Answer{200, ""}; });
  DeliveryStack stack(dir.path / "k.db");
  auto settings = fast_settings("partner");
  settings.retry.max_retry_after = 300ms;
  stack.add(settings, receiver.url());
  stack.start();

  const auto m = message("partner", "R-1", "m1");
  stack.submit(m);
  REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::delivered); }, 5000ms));
  const auto seen = receiver.seen("m1");
  REQUIRE(seen.size() == 2);
  const auto gap = ms_between(seen[0].at, seen[1].at);
  CHECK(gap >= 250);
  CHECK(gap < 2000);
}

TEST_CASE("a replayed dead letter is delivered exactly once, and the replay is audited") {
  TempDir dir;
  Receiver receiver;
  receiver.script([](const std::string&, int nth) { return Answer{nth == 1 ? 422 : 200, ""}; });
  DeliveryStack stack(dir.path / "k.db");
  stack.add(fast_settings("partner"), receiver.url());
  stack.start();

  const auto m = message("partner", "R-1", "m1");
  stack.submit(m);
  REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::dead); }));

  const auto replayed = stack.replay(m.id);
  CHECK(replayed.outcome == ReplayOutcome::replayed);
  REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::delivered); }));
  std::this_thread::sleep_for(200ms);
  CHECK(receiver.delivered("m1") == 1);
  CHECK(receiver.seen("m1").size() == 2);

  const auto stored = stack.stored(m.id);
  CHECK(stored->attempts == 2);
  const auto audit = stack.audit_records("delivery.replayed", m.id);
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].body["replayed_by"] == "operator-1");
  CHECK(audit[0].body["previous_attempts"] == 1);

  // Replaying again is refused: it is not dead any more. An unknown id is not found.
  const auto again = stack.replay(m.id);
  CHECK(again.outcome == ReplayOutcome::not_dead);
  CHECK(again.status == "delivered");
  CHECK(stack.replay("no-such-message").outcome == ReplayOutcome::not_found);
  std::this_thread::sleep_for(100ms);
  CHECK(receiver.delivered("m1") == 1);
  CHECK(stack.metrics("partner").replayed == 1);
}

TEST_CASE("once a replay is reported, the store says pending with a fresh retry budget, also after a restart") {
  TempDir dir;
  const auto db = dir.path / "k.db";
  Receiver receiver;
  receiver.script([](const std::string&, int nth) { return Answer{nth == 1 ? 400 : 503, ""}; });
  const auto m = message("partner", "R-1", "m1");
  std::int64_t replayed_at = 0;
  {
    DeliveryStack stack(db);
    auto settings = fast_settings("partner");
    settings.retry.initial_backoff = 5000ms;  // after the replay: at most one attempt during the test
    settings.retry.max_backoff = 5000ms;
    stack.add(settings, receiver.url());
    stack.start();
    stack.submit(m);
    REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::dead); }));
    replayed_at = now_ms();
    REQUIRE(stack.replay(m.id).outcome == ReplayOutcome::replayed);
    const auto after = stack.stored(m.id);
    CHECK(after->status == MessageStatus::pending);
    CHECK(after->cycle_attempts <= 1);
    CHECK(after->cycle_started_at_ms >= replayed_at);
    CHECK(after->dead_at_ms == 0);
    stack.shutdown();
  }
  auto store = knutpunkt::open_sqlite_store(db);
  REQUIRE(store.has_value());
  auto reopened = (*store)->message(m.id);
  REQUIRE(reopened.has_value());
  REQUIRE(reopened->has_value());
  CHECK((*reopened)->status == MessageStatus::pending);
  CHECK((*reopened)->cycle_started_at_ms >= replayed_at);
}

TEST_CASE("a replay that arrives before the engine has settled the dead letter in memory is not lost") {
  TempDir dir;
  Receiver receiver;
  std::atomic<bool> accept{false};
  receiver.script([&](const std::string&, int) { return Answer{accept ? 200 : 400, ""}; });
  DeliveryStack stack(dir.path / "k.db");
  stack.add(fast_settings("partner"), receiver.url());
  // While the dead-letter attempt is concluded, occupy both io threads so that the engine's
  // in-memory settling waits behind them; the store already says dead by then.
  std::promise<void> release_promise;
  std::shared_future<void> release = release_promise.get_future().share();
  std::atomic<bool> blocked{false};
  stack.engine->set_default_settlement_handler([&](const knutpunkt::OutboxMessage&, MessageStatus status,
                                                   const std::string&) -> std::vector<knutpunkt::StoreWrite> {
    if (status == MessageStatus::dead && !blocked.exchange(true)) {
      for (int i = 0; i < 2; ++i) boost::asio::post(stack.io, [release] { release.wait(); });
    }
    return {};
  });
  stack.start();

  const auto m = message("partner", "R-1", "m1");
  stack.submit(m);
  REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::dead); }));
  accept = true;
  const auto replayed = stack.replay(m.id);
  release_promise.set_value();
  CHECK(replayed.outcome == ReplayOutcome::replayed);
  CHECK(eventually([&] { return receiver.delivered("m1") == 1; }, 2000ms));
}

TEST_CASE("messages of one ordering key arrive in order under retries; another key is not held up") {
  TempDir dir;
  Receiver receiver;
  // k1#1 fails twice (with a backoff long enough to see k2 overtake it).
  receiver.script([](const std::string& label, int nth) {
    return Answer{label == "k1#1" && nth <= 2 ? 503 : 200, ""};
  });
  DeliveryStack stack(dir.path / "k.db");
  auto settings = fast_settings("partner");
  settings.retry.initial_backoff = 100ms;
  settings.retry.max_backoff = 400ms;
  stack.add(settings, receiver.url());
  stack.start();

  const auto k1a = message("partner", "k1", "k1#1");
  const auto k1b = message("partner", "k1", "k1#2");
  const auto k1c = message("partner", "k1", "k1#3");
  const auto k2 = message("partner", "k2", "k2#1");
  stack.submit(k1a);
  stack.submit(k1b);
  stack.submit(k1c);
  stack.submit(k2);
  REQUIRE(eventually([&] { return stack.status_is(k1c.id, MessageStatus::delivered); }));
  REQUIRE(eventually([&] { return stack.status_is(k2.id, MessageStatus::delivered); }));

  std::vector<std::string> k1_order;
  SteadyClock::time_point k1a_delivered{}, k2_delivered{};
  for (const Seen& s : receiver.seen()) {
    if (s.label.rfind("k1#", 0) == 0) k1_order.push_back(s.label + ":" + std::to_string(s.status));
    if (s.label == "k1#1" && s.status == 200) k1a_delivered = s.at;
    if (s.label == "k2#1" && s.status == 200) k2_delivered = s.at;
  }
  CHECK(k1_order == std::vector<std::string>{"k1#1:503", "k1#1:503", "k1#1:200", "k1#2:200", "k1#3:200"});
  CHECK(k2_delivered < k1a_delivered);
  CHECK(receiver.seen("k2#1").size() == 1);
  // Attempts counted per message: the held messages were never tried early.
  CHECK(stack.attempts(k1b.id).size() == 1);
  CHECK(stack.attempts(k1c.id).size() == 1);
}

TEST_CASE("a dead letter holds later messages of its key until it is replayed") {
  TempDir dir;
  Receiver receiver;
  std::atomic<bool> accept_first{false};
  receiver.script([&](const std::string& label, int) {
    if (label == "k1#1" && !accept_first) return Answer{400, ""};
    return Answer{200, ""};
  });
  DeliveryStack stack(dir.path / "k.db");
  stack.add(fast_settings("partner"), receiver.url());
  stack.start();

  const auto first = message("partner", "k1", "k1#1");
  stack.submit(first);
  REQUIRE(eventually([&] { return stack.status_is(first.id, MessageStatus::dead); }));
  const auto second = message("partner", "k1", "k1#2");
  const auto other = message("partner", "k2", "k2#1");
  stack.submit(second);
  stack.submit(other);
  REQUIRE(eventually([&] { return stack.status_is(other.id, MessageStatus::delivered); }));
  std::this_thread::sleep_for(200ms);
  CHECK(receiver.seen("k1#2").empty());
  CHECK(stack.status_is(second.id, MessageStatus::pending));
  CHECK(stack.engine->waiting_for(second.id) == first.id);
  CHECK_FALSE(stack.engine->waiting_for(first.id).has_value());

  accept_first = true;
  REQUIRE(stack.replay(first.id).outcome == ReplayOutcome::replayed);
  REQUIRE(eventually([&] { return stack.status_is(second.id, MessageStatus::delivered); }));
  CHECK(stack.status_is(first.id, MessageStatus::delivered));
  std::vector<std::string> order;
  for (const Seen& s : receiver.seen()) {
    if (s.label.rfind("k1#", 0) == 0) order.push_back(s.label + ":" + std::to_string(s.status));
  }
  CHECK(order == std::vector<std::string>{"k1#1:400", "k1#1:200", "k1#2:200"});
}

TEST_CASE("messages left pending when the engine stopped are delivered by a new engine on the same store") {
  TempDir dir;
  const auto db = dir.path / "k.db";
  knutpunkt::OutboxMessage a = message("partner", "k1", "k1#1");
  knutpunkt::OutboxMessage b = message("partner", "k1", "k1#2");
  knutpunkt::OutboxMessage c = message("partner", "k2", "k2#1");
  {
    // The partner is down: nothing listens on the endpoint.
    DeliveryStack first(db);
    first.add(fast_settings("partner"), "http://127.0.0.1:1");
    first.start();
    first.submit(a);
    first.submit(b);
    first.submit(c);
    REQUIRE(eventually([&] { return first.attempts(a.id).size() >= 2 && first.attempts(c.id).size() >= 2; }));
    first.shutdown();
    CHECK(first.status_is(a.id, MessageStatus::pending));
    CHECK(first.status_is(b.id, MessageStatus::pending));
    CHECK(first.status_is(c.id, MessageStatus::pending));
  }
  Receiver receiver;
  DeliveryStack second(db);
  second.add(fast_settings("partner"), receiver.url());
  const auto tried_before = second.attempts(a.id).size();
  second.start();
  REQUIRE(eventually([&] {
    return second.status_is(a.id, MessageStatus::delivered) && second.status_is(b.id, MessageStatus::delivered) &&
           second.status_is(c.id, MessageStatus::delivered);
  }));
  std::vector<std::string> order;
  for (const Seen& s : receiver.seen()) {
    if (s.label.rfind("k1#", 0) == 0) order.push_back(s.label);
  }
  CHECK(order == std::vector<std::string>{"k1#1", "k1#2"});
  CHECK(receiver.delivered("k2#1") == 1);
  // Attempt numbers continue from the stored ones.
  const auto attempts = second.attempts(a.id);
  REQUIRE(attempts.size() == tried_before + 1);
  CHECK(attempts.back().number == static_cast<int>(tried_before) + 1);
  CHECK(attempts.back().outcome == "delivered");
  CHECK(attempts.front().http_status == 0);  // no response while the partner was down
}

TEST_CASE("a dead letter reloaded at start still holds its key, and its replay releases the next message") {
  TempDir dir;
  const auto db = dir.path / "k.db";
  Receiver receiver;
  std::atomic<bool> accept{false};
  receiver.script([&](const std::string&, int) { return Answer{accept ? 200 : 400, ""}; });
  knutpunkt::OutboxMessage a = message("partner", "k1", "k1#1");
  knutpunkt::OutboxMessage b = message("partner", "k1", "k1#2");
  {
    DeliveryStack first(db);
    first.add(fast_settings("partner"), receiver.url());
    first.start();
    first.submit(a);
    REQUIRE(eventually([&] { return first.status_is(a.id, MessageStatus::dead); }));
    first.submit(b);
    std::this_thread::sleep_for(100ms);
    first.shutdown();
  }
  CHECK(receiver.seen("k1#2").empty());
  accept = true;
  DeliveryStack second(db);
  second.add(fast_settings("partner"), receiver.url());
  second.start();
  std::this_thread::sleep_for(200ms);
  CHECK(receiver.seen("k1#2").empty());
  CHECK(second.engine->waiting_for(b.id) == a.id);
  REQUIRE(second.replay(a.id).outcome == ReplayOutcome::replayed);
  REQUIRE(eventually([&] { return second.status_is(b.id, MessageStatus::delivered); }));
  CHECK(second.status_is(a.id, MessageStatus::delivered));
}

TEST_CASE("the settlement hook's writes commit with the final attempt, and its messages are scheduled") {
  TempDir dir;
  Receiver receiver;
  receiver.script([](const std::string& label, int) { return Answer{label == "refused" ? 400 : 200, ""}; });
  DeliveryStack stack(dir.path / "k.db");
  stack.add(fast_settings("partner"), receiver.url());
  stack.add(fast_settings("webhook"), receiver.url());
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> settled;  // label, status
  stack.engine->set_default_settlement_handler([&](const knutpunkt::OutboxMessage& m, MessageStatus status,
                                                   const std::string& reason) -> std::vector<knutpunkt::StoreWrite> {
    {
      std::lock_guard lock(mutex);
      settled.emplace_back(m.payload.value("label", ""), std::string(knutpunkt::to_string(status)));
    }
    if (m.destination != "partner") return {};
    knutpunkt::store_write::AppendEvent event{
        "ev-" + m.id, m.client_id, m.case_id, m.id, "referral.settled", {{"message_id", m.id}, {"reason", reason}}};
    auto notice = message("webhook", m.ordering_key, "notice-" + m.payload.value("label", ""));
    return {event, knutpunkt::store_write::EnqueueMessage{notice}};
  });
  stack.start();

  const auto ok = message("partner", "R-1", "accepted");
  const auto refused = message("partner", "R-2", "refused");
  stack.submit(ok);
  stack.submit(refused);
  REQUIRE(eventually(
      [&] { return receiver.delivered("notice-accepted") == 1 && receiver.delivered("notice-refused") == 1; }));

  auto events = stack.store->events_after("client-a", 0, 10);
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 2);
  std::set<std::string> reasons;
  for (const auto& e : *events) reasons.insert(e.envelope.value("reason", "?"));
  CHECK(reasons.contains("final_status"));
  std::lock_guard lock(mutex);
  CHECK(std::count(settled.begin(), settled.end(), std::pair<std::string, std::string>{"accepted", "delivered"}) == 1);
  CHECK(std::count(settled.begin(), settled.end(), std::pair<std::string, std::string>{"refused", "dead"}) == 1);
}

TEST_CASE("two replays of one dead letter at once: one replays, the other is told it is no longer dead") {
  TempDir dir;
  Receiver receiver;
  // Refused for good the first time, and again after the replay: a second revival would show
  // as a third request.
  receiver.script([](const std::string&, int) { return Answer{422, ""}; });
  DeliveryStack stack(dir.path / "k.db");
  stack.add(fast_settings("partner"), receiver.url());
  stack.start();

  const auto m = message("partner", "R-1", "m1");
  stack.submit(m);
  REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::dead); }));

  std::promise<knutpunkt::delivery::ReplayResult> first, second;
  stack.engine->replay(m.id, "operator-1", [&](knutpunkt::delivery::ReplayResult r) { first.set_value(r); });
  stack.engine->replay(m.id, "operator-2", [&](knutpunkt::delivery::ReplayResult r) { second.set_value(r); });
  const auto a = first.get_future().get();
  const auto b = second.get_future().get();
  CHECK(a.outcome == ReplayOutcome::replayed);
  CHECK(b.outcome == ReplayOutcome::not_dead);

  REQUIRE(eventually([&] { return receiver.seen("m1").size() == 2 && stack.status_is(m.id, MessageStatus::dead); }));
  std::this_thread::sleep_for(300ms);
  CHECK(receiver.seen("m1").size() == 2);
  CHECK(stack.audit_records("delivery.replayed", m.id).size() == 1);
  CHECK(stack.audit_records("delivery.dead_lettered", m.id).size() == 2);
}

TEST_CASE("a message enqueued through the audit log directly is delivered without a restart") {
  TempDir dir;
  Receiver receiver;
  receiver.script([](const std::string&, int) { return Answer{200, ""}; });
  DeliveryStack stack(dir.path / "k.db");
  stack.add(fast_settings("partner"), receiver.url());
  stack.start();

  const auto m = message("partner", "R-1", "m1");
  std::promise<bool> durable;
  auto done = durable.get_future();
  stack.audit->append("referral.accepted", {{"message_id", m.id}}, {knutpunkt::store_write::EnqueueMessage{m}},
                      [&durable](auto receipt) { durable.set_value(receipt.has_value()); });
  REQUIRE(done.get());
  REQUIRE(eventually([&] { return stack.status_is(m.id, MessageStatus::delivered); }));
  CHECK(receiver.seen("m1").size() == 1);
}

TEST_CASE("a destination whose TLS fails is retried, and each audited attempt names the reason") {
  TempDir dir;
  Receiver receiver;  // plain HTTP where https was configured
  const auto ca = knutpunkt::test_pki::write_public(dir.path / "ca.pem",
                                                    knutpunkt::test_pki::Authority("partner CA").certificate_pem());
  DeliveryStack stack(dir.path / "k.db");
  auto tls = stack.http->tls_profile("/adapters/0/config/tls", {.ca_file = ca, .identity = {}, .server_name = {}});
  REQUIRE(tls);
  std::string https = receiver.url();
  https.replace(0, 4, "https");
  stack.add(fast_settings("partner"), https, *tls);
  stack.start();

  const auto m = message("partner", "R-1", "m1");
  stack.submit(m);
  REQUIRE(eventually([&] { return stack.attempts(m.id).size() >= 2; }));
  CHECK(receiver.seen("m1").empty());  // never sent in plain text
  const auto attempts = stack.attempts(m.id);
  CHECK(attempts[0].outcome == "retry");
  CHECK(attempts[0].error.rfind("tls_failed: ", 0) == 0);
  CHECK_THAT(attempts[0].error, Catch::Contains("wrong version number"));
  const auto records = stack.audit_records("delivery.attempt", m.id);
  REQUIRE_FALSE(records.empty());
  CHECK_THAT(records[0].body.value("error", ""), Catch::Contains("wrong version number"));
}
