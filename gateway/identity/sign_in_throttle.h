#pragma once
// How many sign-in attempts a user name and a remote address may still make. An attempt is taken
// from both budgets before its password is checked, under one lock, and counts as a failure
// unless it succeeds: however many guesses arrive at once, at most the budget of them is ever
// checked, and whatever arrives after the budget is spent (the right password too) is refused
// until the window has passed. A successful sign-in clears its name's failures and gives the
// address back its attempt (not the address's other failures: one known password must not reset
// the budget for guessing others).
//
// What is remembered is bounded: attempts leave with their window, and at most `max_tracked`
// names and as many addresses are kept, the least recently tried going first.
//
// Locks and unlocks are reported as events for the audit log; the caller takes them after each
// call (take_events) and records them.
#include <chrono>
#include <deque>
#include <expected>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/client_config.h"

namespace knutpunkt::identity {

using WallClock = std::function<std::chrono::system_clock::time_point()>;

enum class ThrottleScope { user, address };

struct ThrottleEvent {
  enum class Kind { locked, unlocked };
  Kind kind = Kind::locked;
  ThrottleScope scope = ThrottleScope::user;
  std::string key;             // the user name or the address
  std::string remote_address;  // the address of the attempt that locked it
  std::string reason;          // unlocked: "window_passed", "signed_in" or "evicted"
  std::chrono::system_clock::time_point at;
  std::chrono::system_clock::time_point until;  // locked: when the window lets the next attempt in
};

// One attempt taken from both budgets; settle it with failed() or succeeded().
struct Reservation {
  std::string username;
  std::string address;
  std::chrono::system_clock::time_point at;
};

struct ThrottleRefusal {
  ThrottleScope scope = ThrottleScope::user;  // the address when both are spent
  std::chrono::seconds retry_after{1};        // until the spent budget has an attempt again
};

std::string_view to_string(ThrottleScope scope);

class SignInThrottle {
 public:
  SignInThrottle(const SignInSettings& settings, WallClock clock);

  std::expected<Reservation, ThrottleRefusal> reserve(const std::string& username, const std::string& address);
  // The password was wrong: the attempt stays spent, and a budget it used up is locked.
  void failed(const Reservation& reservation);
  // The password was right: the name's failures are cleared, the address gets its attempt back.
  void succeeded(const Reservation& reservation);
  // Locks whose window has passed are lifted (reported), and forgotten attempts dropped. reserve()
  // does this too; a periodic call makes an unlock reported when it happens, not at the next try.
  void sweep();

  std::vector<ThrottleEvent> take_events();
  // Names and addresses with attempts remembered.
  std::size_t tracked() const;

 private:
  using TimePoint = std::chrono::system_clock::time_point;

  class Budget {
   public:
    Budget(ThrottleScope scope, int limit, std::chrono::seconds window, std::size_t max_tracked);
    // Seconds until an attempt is free again, when the budget of `key` is spent at `now`.
    std::optional<std::chrono::seconds> spent(const std::string& key, TimePoint now,
                                              std::vector<ThrottleEvent>& events);
    void take(const std::string& key, const std::string& address, TimePoint now, std::vector<ThrottleEvent>& events);
    void lock_if_spent(const std::string& key, TimePoint now, std::vector<ThrottleEvent>& events);
    void clear(const std::string& key, TimePoint now, std::vector<ThrottleEvent>& events);
    void give_back(const std::string& key, TimePoint attempt, TimePoint now, std::vector<ThrottleEvent>& events);
    void sweep(TimePoint now, std::vector<ThrottleEvent>& events);
    std::size_t size() const { return entries_.size(); }

   private:
    struct Entry {
      std::deque<TimePoint> attempts;  // oldest first, all within the window
      std::string remote_address;      // of the latest attempt
      std::list<std::string>::iterator recency;
      std::optional<TimePoint> locked_until;
    };
    using Entries = std::unordered_map<std::string, Entry>;

    // Drops attempts older than the window; reports the unlock when that lifts a lock.
    void prune(Entries::iterator it, TimePoint now, std::vector<ThrottleEvent>& events);
    void unlock(Entries::iterator it, std::string reason, TimePoint at, std::vector<ThrottleEvent>& events);
    void erase(Entries::iterator it);
    void evict_least_recent(TimePoint now, std::vector<ThrottleEvent>& events);

    ThrottleScope scope_;
    int limit_;
    std::chrono::seconds window_;
    std::size_t max_tracked_;
    Entries entries_;
    std::list<std::string> recency_;                     // least recently tried first
    std::set<std::pair<TimePoint, std::string>> locks_;  // by the time each lock lifts
  };

  WallClock clock_;
  mutable std::mutex mutex_;
  Budget users_;
  Budget addresses_;
  std::vector<ThrottleEvent> events_;
};

}  // namespace knutpunkt::identity
