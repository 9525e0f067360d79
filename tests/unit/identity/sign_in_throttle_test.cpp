#include "identity/sign_in_throttle.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "identity/credential_check.h"

using namespace knutpunkt;
using namespace std::chrono_literals;

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
  identity::SignInThrottle throttle(limits(), clock.fn());
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
  identity::SignInThrottle throttle(limits(), clock.fn());
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
  identity::SignInThrottle throttle(limits(), clock.fn());
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
  identity::SignInThrottle throttle(limits(), clock.fn());
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

TEST_CASE("failures for 100,000 distinct names keep the memory bounded by the cap") {
  FakeClock clock;
  identity::SignInThrottle throttle(limits(1000), clock.fn());
  for (int i = 0; i < 100000; ++i) {
    // From many addresses, as a spraying attacker would; each name and address tried once.
    const std::string address =
        "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
    REQUIRE(guess_wrong(throttle, "name-" + std::to_string(i), address));
    clock.now += 1ms;
  }
  CHECK(throttle.tracked() <= 2000);
  // What is kept is the most recent: the last name tried still counts its failure.
  for (int i = 0; i < 4; ++i) REQUIRE(guess_wrong(throttle, "name-99999", "192.0.2.1"));
  CHECK_FALSE(throttle.reserve("name-99999", "192.0.2.2").has_value());
}

TEST_CASE("failures are forgotten once their window has passed, even for names never tried again") {
  FakeClock clock;
  identity::SignInThrottle throttle(limits(), clock.fn());
  for (int i = 0; i < 100; ++i) {
    REQUIRE(guess_wrong(throttle, "name-" + std::to_string(i), "10.0.0." + std::to_string(i)));
  }
  CHECK(throttle.tracked() == 200);
  clock.now += 15min;
  throttle.sweep();
  CHECK(throttle.tracked() == 0);
}
