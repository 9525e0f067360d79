#include "identity/sign_in_throttle.h"

#include <stdlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <latch>
#include <thread>
#include <vector>

#include "core/digest.h"
#include "identity/credential_check.h"
#include "store/sqlite/sqlite_store.h"
#include "store_backends.h"

using namespace knutpunkt;
using namespace std::chrono_literals;
using knutpunkt::conformance::BackendStore;

namespace {

struct FakeClock {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::time_point{} + std::chrono::days{20000};
  identity::WallClock fn() {
    return [this] { return now; };
  }
};

SignInSettings limits(std::size_t max_tracked = 10000) {
  SignInSettings s;
  s.max_failures_per_user = 5;
  s.max_failures_per_address = 20;
  s.failure_window = 15min;
  s.max_tracked = max_tracked;
  return s;
}

// One wrong guess, start to finish: reserve, then fail.
bool guess_wrong(identity::SignInThrottle& throttle, const std::string& name, const std::string& address) {
  auto r = throttle.reserve(name, address);
  if (!r) return false;
  throttle.failed(*r);
  return true;
}

int count(const std::vector<identity::ThrottleEvent>& events, identity::ThrottleEvent::Kind kind,
          identity::ThrottleScope scope) {
  int n = 0;
  for (const auto& e : events) n += e.kind == kind && e.scope == scope ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("guesses sent at once are checked at most the budget's times, and the right password after them is refused") {
  FakeClock clock;
  BackendStore store("sqlite");
  identity::SignInThrottle throttle(*store, limits(), clock.fn());
  std::atomic<int> verified{0};
  const std::vector<UserConfig> users{{"revisor", "Revisor", {kRoleAuditor}, "pbkdf2-sha256$1000$00$00"}};
  // Each verification takes a while, as PBKDF2 does, so the guesses overlap.
  identity::CredentialCheck check(users, [&](std::string_view password, std::string_view) {
    ++verified;
    std::this_thread::sleep_for(2ms);
    return password == "the-right-password";
  });

  constexpr int kGuesses = 50;
  std::latch start(kGuesses);
  std::atomic<int> refused{0};
  std::vector<std::thread> guessers;
  for (int i = 0; i < kGuesses; ++i) {
    guessers.emplace_back([&, i] {
      // Each from an address of its own: only the name's budget is in play.
      const std::string address = "192.0.2." + std::to_string(i);
      start.arrive_and_wait();
      auto reservation = throttle.reserve("revisor", address);
      if (!reservation) {
        ++refused;
        return;
      }
      if (check.check("revisor", "guess-" + std::to_string(i)) == nullptr) throttle.failed(*reservation);
    });
  }
  for (auto& t : guessers) t.join();
  CHECK(verified == 5);
  CHECK(refused == kGuesses - 5);

  auto right = throttle.reserve("revisor", "198.51.100.1");
  REQUIRE_FALSE(right.has_value());
  CHECK(right.error().scope == identity::ThrottleScope::user);
  CHECK(right.error().retry_after == 15min);
  CHECK(verified == 5);
  const auto events = throttle.take_events();
  CHECK(count(events, identity::ThrottleEvent::Kind::locked, identity::ThrottleScope::user) == 1);
}

TEST_CASE("a name's lock lifts when its window has passed, and the lifting is reported") {
  FakeClock clock;
  BackendStore store("sqlite");
  identity::SignInThrottle throttle(*store, limits(), clock.fn());
  for (int i = 0; i < 5; ++i) {
    REQUIRE(guess_wrong(throttle, "revisor", "192.0.2.1"));
    clock.now += 1min;
  }
  auto events = throttle.take_events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == identity::ThrottleEvent::Kind::locked);
  CHECK(events[0].key == "revisor");
  CHECK(events[0].remote_address == "192.0.2.1");
  // Locked until the first of the five failures is 15 minutes old.
  CHECK(events[0].until == clock.now - 5min + 15min);

  auto refused = throttle.reserve("revisor", "192.0.2.2");
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().retry_after == 10min);

  clock.now += 10min;
  throttle.sweep();
  events = throttle.take_events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == identity::ThrottleEvent::Kind::unlocked);
  CHECK(events[0].reason == "window_passed");
  CHECK(events[0].at == clock.now);
  CHECK(throttle.reserve("revisor", "192.0.2.2").has_value());
}

TEST_CASE("a successful sign-in clears its name's failures but gives the address back only its own attempt") {
  FakeClock clock;
  BackendStore store("sqlite");
  identity::SignInThrottle throttle(*store, limits(), clock.fn());
  for (int i = 0; i < 4; ++i) REQUIRE(guess_wrong(throttle, "revisor", "192.0.2.1"));
  auto right = throttle.reserve("revisor", "192.0.2.1");
  REQUIRE(right.has_value());
  throttle.succeeded(*right);
  CHECK(throttle.take_events().empty());  // four failures never locked the name
  // The name has its whole budget again.
  for (int i = 0; i < 5; ++i) CHECK(guess_wrong(throttle, "revisor", "192.0.2.1"));
  CHECK_FALSE(throttle.reserve("revisor", "192.0.2.1").has_value());
  // The address keeps its failures: 4 + 5 of 20, so eleven more with other names.
  for (int i = 0; i < 11; ++i) CHECK(guess_wrong(throttle, "name-" + std::to_string(i), "192.0.2.1"));
  CHECK_FALSE(throttle.reserve("another", "192.0.2.1").has_value());
}

TEST_CASE("an address that fails across many names is refused, for every name, while other addresses are not") {
  FakeClock clock;
  BackendStore store("sqlite");
  identity::SignInThrottle throttle(*store, limits(), clock.fn());
  // Four tries at each of five names: no name reaches its limit, the address reaches its.
  for (int i = 0; i < 20; ++i) REQUIRE(guess_wrong(throttle, "name-" + std::to_string(i % 5), "203.0.113.7"));
  const auto events = throttle.take_events();
  CHECK(count(events, identity::ThrottleEvent::Kind::locked, identity::ThrottleScope::address) == 1);
  CHECK(count(events, identity::ThrottleEvent::Kind::locked, identity::ThrottleScope::user) == 0);

  auto refused = throttle.reserve("a-new-name", "203.0.113.7");
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().scope == identity::ThrottleScope::address);
  CHECK(refused.error().retry_after == 15min);
  CHECK(throttle.reserve("name-0", "203.0.113.8").has_value());
}

TEST_CASE("failures are forgotten once their window has passed, even for names never tried again") {
  FakeClock clock;
  BackendStore store("sqlite");
  identity::SignInThrottle throttle(*store, limits(), clock.fn());
  for (int i = 0; i < 100; ++i) {
    REQUIRE(guess_wrong(throttle, "name-" + std::to_string(i), "10.0.0." + std::to_string(i)));
  }
  CHECK(throttle.tracked() == 200);
  clock.now += 15min;
  throttle.sweep();
  CHECK(throttle.tracked() == 0);
}

namespace {

std::vector<identity::ThrottleEvent> events_of(identity::SignInThrottle& a, identity::SignInThrottle& b) {
  auto events = a.take_events();
  for (auto& e : b.take_events()) events.push_back(std::move(e));
  return events;
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

// Two gateway instances on one database: each its own store (connections) and throttle.
TEST_CASE("two instances: guesses spread over both lock the name at the same budget as one, audited once") {
  STORE_BACKEND(backend);
  FakeClock clock;
  BackendStore a_store(backend);
  auto b_store = a_store.open_another();
  identity::SignInThrottle a(*a_store, limits(), clock.fn());
  identity::SignInThrottle b(*b_store, limits(), clock.fn());
  for (int i = 0; i < 5; ++i) {
    REQUIRE(guess_wrong(i % 2 == 0 ? a : b, "revisor", "192.0.2." + std::to_string(i)));
    clock.now += 1min;
  }
  auto on_a = a.reserve("revisor", "198.51.100.1");
  REQUIRE_FALSE(on_a.has_value());
  CHECK(on_a.error().scope == identity::ThrottleScope::user);
  CHECK(on_a.error().retry_after == 10min);
  CHECK_FALSE(b.reserve("revisor", "198.51.100.2").has_value());
  auto events = events_of(a, b);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == identity::ThrottleEvent::Kind::locked);
  CHECK(events[0].key == "revisor");

  // The window passes: both sweep, one of them reports the lifting.
  clock.now += 10min;
  a.sweep();
  b.sweep();
  events = events_of(a, b);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == identity::ThrottleEvent::Kind::unlocked);
  CHECK(events[0].reason == "window_passed");
  CHECK(b.reserve("revisor", "198.51.100.2").has_value());
}

TEST_CASE("two instances: guesses sent at once to both are checked at most the budget's times, and locked once") {
  STORE_BACKEND(backend);
  FakeClock clock;
  BackendStore a_store(backend);
  auto b_store = a_store.open_another();
  identity::SignInThrottle a(*a_store, limits(), clock.fn());
  identity::SignInThrottle b(*b_store, limits(), clock.fn());
  std::atomic<int> verified{0};
  const std::vector<UserConfig> users{{"revisor", "Revisor", {kRoleAuditor}, "pbkdf2-sha256$1000$00$00"}};
  identity::CredentialCheck check(users, [&](std::string_view, std::string_view) {
    ++verified;
    std::this_thread::sleep_for(2ms);
    return false;
  });

  constexpr int kGuesses = 40;
  std::latch start(kGuesses);
  std::atomic<int> refused{0};
  std::vector<std::thread> guessers;
  for (int i = 0; i < kGuesses; ++i) {
    guessers.emplace_back([&, i] {
      identity::SignInThrottle& instance = i % 2 == 0 ? a : b;
      start.arrive_and_wait();
      auto reservation = instance.reserve("revisor", "192.0.2." + std::to_string(i));
      if (!reservation) {
        ++refused;
        return;
      }
      if (check.check("revisor", "guess-" + std::to_string(i)) == nullptr) instance.failed(*reservation);
    });
  }
  for (auto& t : guessers) t.join();
  CHECK(verified == 5);
  CHECK(refused == kGuesses - 5);
  CHECK(count(events_of(a, b), identity::ThrottleEvent::Kind::locked, identity::ThrottleScope::user) == 1);
}

TEST_CASE("a user name typed at sign-in is stored only as a keyed hash") {
  std::string pattern = (std::filesystem::temp_directory_path() / "knutpunkt-throttle-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  const std::filesystem::path folder(pattern);
  const std::string typed = "191212121212";
  {
    auto store = open_sqlite_store(folder / "k.db");
    REQUIRE(store.has_value());
    FakeClock clock;
    identity::SignInThrottle throttle(**store, limits(), clock.fn());
    for (int i = 0; i < 5; ++i) REQUIRE(guess_wrong(throttle, typed, "192.0.2.1"));
    const auto events = throttle.take_events();
    REQUIRE(count(events, identity::ThrottleEvent::Kind::locked, identity::ThrottleScope::user) == 1);
    CHECK(events[0].key == typed);
    CHECK(events[0].key_hash == hmac_sha256_hex((*store)->sign_in_key().value(), typed));
    CHECK(throttle.tracked() == 2);
    for (const auto& file : std::filesystem::directory_iterator(folder)) {
      INFO(file.path());
      CHECK(file_bytes(file.path()).find(typed) == std::string::npos);
    }
  }
  std::filesystem::remove_all(folder);
}

namespace {

// A database that answers nothing: every call fails as an unreachable server would.
class UnreachableBudgets : public SessionStore {
 public:
  template <typename T>
  static std::expected<T, StoreError> down() {
    return std::unexpected(StoreError{"postgresql_unavailable", "no connection"});
  }
  std::expected<std::optional<SessionRecord>, StoreError> session(const std::string&) override {
    return down<std::optional<SessionRecord>>();
  }
  std::expected<void, StoreError> touch_session(const std::string&, std::int64_t, std::int64_t) override {
    return down<void>();
  }
  std::expected<bool, StoreError> remove_session(const std::string&) override { return down<bool>(); }
  std::expected<std::int64_t, StoreError> remove_expired_sessions(std::int64_t, std::int64_t) override {
    return down<std::int64_t>();
  }
  std::expected<std::int64_t, StoreError> session_count() override { return down<std::int64_t>(); }
  std::expected<std::string, StoreError> sign_in_key() override { return key_readable ? "k" : down<std::string>(); }
  std::expected<SignInBudget, StoreError> take_sign_in_attempt(const std::string&, const std::string&,
                                                               const std::string&, std::int64_t,
                                                               std::int64_t) override {
    return down<SignInBudget>();
  }
  std::expected<void, StoreError> return_sign_in_attempt(const std::string&, const std::string&,
                                                         std::int64_t) override {
    return down<void>();
  }
  std::expected<std::optional<std::int64_t>, StoreError> lock_sign_in(const std::string&, const std::string&, int,
                                                                      std::int64_t) override {
    return down<std::optional<std::int64_t>>();
  }
  std::expected<bool, StoreError> unlock_sign_in_below(const std::string&, const std::string&, int) override {
    return down<bool>();
  }
  std::expected<bool, StoreError> clear_sign_in(const std::string&, const std::string&) override {
    return down<bool>();
  }
  std::expected<std::vector<SignInUnlock>, StoreError> sweep_sign_in(std::int64_t) override {
    return down<std::vector<SignInUnlock>>();
  }
  std::expected<std::int64_t, StoreError> sign_in_tracked() override { return down<std::int64_t>(); }

  bool key_readable = false;
};

}  // namespace

TEST_CASE("an attempt the database cannot count is refused as unavailable, never let through") {
  FakeClock clock;
  UnreachableBudgets budgets;
  identity::SignInThrottle throttle(budgets, limits(), clock.fn());
  auto without_key = throttle.reserve("revisor", "192.0.2.1");
  REQUIRE_FALSE(without_key.has_value());
  CHECK(without_key.error().unavailable);
  budgets.key_readable = true;
  auto uncounted = throttle.reserve("revisor", "192.0.2.1");
  REQUIRE_FALSE(uncounted.has_value());
  CHECK(uncounted.error().unavailable);
  CHECK(throttle.take_events().empty());
}
