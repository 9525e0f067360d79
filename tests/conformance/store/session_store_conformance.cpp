// SessionStore on every backend: console sessions commit with their records and are read, noted
// and removed alike; sign-in budgets count, lock, unlock and forget alike, each change decided by
// the database so that one caller of several gets it.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "conformance_support.h"
#include "store_backends.h"

using namespace knutpunkt;
using knutpunkt::conformance::BackendStore;
using knutpunkt::conformance::commit_ok;

namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kT0 = 1'800'000'000'000;  // any time: the store only compares and adds

SessionRecord a_session(std::string token_hash) {
  return SessionRecord{std::move(token_hash), "revisor", {"admin", "auditor", "operator"}, kT0 + 480 * kMinute, kT0};
}

AuditRecord a_record(std::string kind, std::int64_t seq = 1) {
  AuditRecord r;
  r.seq = seq;
  r.recorded_at = "2026-12-06T10:00:00.000Z";
  r.kind = std::move(kind);
  r.body = {{"user", "revisor"}};
  return r;
}

}  // namespace

TEST_CASE("a session commits with its record, reads back field for field, and ends with its sign-out") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  CHECK_FALSE(store->session("h1").value().has_value());
  commit_ok(*store, {a_record("auth.signed_in")}, {store_write::PutSession{a_session("h1")}});
  const auto read = store->session("h1").value();
  REQUIRE(read.has_value());
  CHECK(read->token_hash == "h1");
  CHECK(read->user_id == "revisor");
  CHECK(read->roles == std::set<std::string>{"admin", "auditor", "operator"});
  CHECK(read->expires_at == kT0 + 480 * kMinute);
  CHECK(read->last_used_at == kT0);
  CHECK(store->session_count().value() == 1);
  commit_ok(*store, {a_record("auth.signed_out", 2)}, {store_write::EndSession{"h1"}});
  CHECK_FALSE(store->session("h1").value().has_value());
  CHECK(store->session_count().value() == 0);
}

TEST_CASE("a session whose batch fails is not opened") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const IdempotencyRecord key{"client-a", "k", "fp", 201, "{}", "t"};
  commit_ok(*store, {}, {store_write::PutIdempotency{key}});
  CHECK_FALSE(store
                  ->commit({a_record("auth.signed_in")},
                           {store_write::PutSession{a_session("h1")}, store_write::PutIdempotency{key}})
                  .has_value());
  CHECK_FALSE(store->session("h1").value().has_value());
}

TEST_CASE("a session's use is noted only when the one noted is older than asked, and expired sessions are removed") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {}, {store_write::PutSession{a_session("h1")}, store_write::PutSession{a_session("h2")}});
  REQUIRE(store->touch_session("h1", kT0 + kMinute, kT0).has_value());  // noted at kT0: not older than kT0
  CHECK(store->session("h1").value()->last_used_at == kT0);
  REQUIRE(store->touch_session("h1", kT0 + kMinute, kT0 + 1).has_value());
  CHECK(store->session("h1").value()->last_used_at == kT0 + kMinute);
  // Idle since before kT0 + 1: h2 goes, h1 (used at kT0 + 1 minute) stays.
  CHECK(store->remove_expired_sessions(kT0 + 10 * kMinute, kT0 + 1).value() == 1);
  CHECK_FALSE(store->session("h2").value().has_value());
  // Past its lifetime it goes however recently used.
  CHECK(store->remove_expired_sessions(kT0 + 480 * kMinute, kT0).value() == 1);
  CHECK(store->session_count().value() == 0);
}

TEST_CASE("a session removed without a record is gone, and removing it again finds none") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {}, {store_write::PutSession{a_session("h1")}});
  CHECK(store->remove_session("h1").value());
  CHECK_FALSE(store->remove_session("h1").value());
  CHECK_FALSE(store->session("h1").value().has_value());
}

TEST_CASE("sessions and the sign-in key outlive a restart; each database has a key of its own") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {}, {store_write::PutSession{a_session("h1")}});
  const std::string key = store->sign_in_key().value();
  CHECK(key.size() == 64);
  CHECK(key.find_first_not_of("0123456789abcdef") == std::string::npos);
  store.reopen();
  CHECK(store->session("h1").value().has_value());
  CHECK(store->sign_in_key().value() == key);
  BackendStore other(backend);
  CHECK(other->sign_in_key().value() != key);
}

TEST_CASE("an attempt counts on in its window, a passed window starts again, and a returned attempt is given back") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const std::int64_t window = 15 * kMinute;
  for (int i = 1; i <= 3; ++i) {
    const auto b = store->take_sign_in_attempt("user", "k", "192.0.2.1", kT0 + i, kT0 + i - window).value();
    CHECK(b.attempts == i);
    CHECK(b.window_start == kT0 + 1);
  }
  // Another scope, or another key: budgets of their own.
  CHECK(store->take_sign_in_attempt("address", "k", "192.0.2.1", kT0, kT0 - window).value().attempts == 1);
  CHECK(store->take_sign_in_attempt("user", "j", "192.0.2.1", kT0, kT0 - window).value().attempts == 1);
  REQUIRE(store->return_sign_in_attempt("user", "k", kT0 + 1).has_value());
  CHECK(store->take_sign_in_attempt("user", "k", "192.0.2.1", kT0 + 5, kT0 + 5 - window).value().attempts == 3);
  // Returning to a window that is over changes nothing.
  const std::int64_t later = kT0 + 1 + window;
  const auto fresh = store->take_sign_in_attempt("user", "k", "192.0.2.1", later, later - window).value();
  CHECK(fresh.attempts == 1);
  CHECK(fresh.window_start == later);
  REQUIRE(store->return_sign_in_attempt("user", "k", kT0 + 1).has_value());
  CHECK(store->take_sign_in_attempt("user", "k", "192.0.2.1", later, later - window).value().attempts == 2);
  CHECK(store->sign_in_tracked().value() == 3);
}

TEST_CASE("a spent budget is locked once until its window ends, and a locked budget keeps its window") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  auto other = store.open_another();
  const std::int64_t window = 15 * kMinute;
  for (int i = 0; i < 2; ++i) store->take_sign_in_attempt("user", "k", "192.0.2.1", kT0, kT0 - window).value();
  CHECK_FALSE(store->lock_sign_in("user", "k", 3, window).value().has_value());  // 2 of 3: not spent
  store->take_sign_in_attempt("user", "k", "192.0.2.1", kT0, kT0 - window).value();
  CHECK(store->lock_sign_in("user", "k", 3, window).value() == kT0 + window);
  CHECK_FALSE(other->lock_sign_in("user", "k", 3, window).value().has_value());  // locked already
  // Past the window but locked: no new window until the lock is lifted.
  const auto b = store->take_sign_in_attempt("user", "k", "192.0.2.1", kT0 + window, kT0).value();
  CHECK(b.attempts == 4);
  CHECK(b.window_start == kT0);
}

TEST_CASE("a lock is lifted by one caller: below the limit, by clearing, or by the sweep of its window") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  auto other = store.open_another();
  const std::int64_t window = 15 * kMinute;
  for (const char* key : {"a", "b", "c"}) {
    for (int i = 0; i < 3; ++i) store->take_sign_in_attempt("address", key, "192.0.2.9", kT0, kT0 - window).value();
    REQUIRE(store->lock_sign_in("address", key, 3, window).value().has_value());
  }
  // Below the limit only.
  CHECK_FALSE(store->unlock_sign_in_below("address", "a", 3).value());
  REQUIRE(store->return_sign_in_attempt("address", "a", kT0).has_value());
  CHECK(store->unlock_sign_in_below("address", "a", 3).value());
  CHECK_FALSE(other->unlock_sign_in_below("address", "a", 3).value());
  // Cleared: reported as lifted once.
  CHECK(store->clear_sign_in("address", "b").value());
  CHECK_FALSE(other->clear_sign_in("address", "b").value());
  // The sweep: budgets whose window has passed go, the locked ones among them reported, once.
  CHECK(store->sweep_sign_in(kT0 - 1).value().empty());
  const auto lifted = store->sweep_sign_in(kT0).value();
  REQUIRE(lifted.size() == 1);
  CHECK(lifted[0].scope == "address");
  CHECK(lifted[0].key == "c");
  CHECK(lifted[0].remote_address == "192.0.2.9");
  CHECK(lifted[0].locked_until == kT0 + window);
  CHECK(other->sweep_sign_in(kT0).value().empty());
  CHECK(store->sign_in_tracked().value() == 0);
}
