#pragma once
// How many sign-in attempts a user name and a remote address may still make. An attempt is taken
// from both budgets before its password is checked, and counts as a failure unless it succeeds:
// however many guesses arrive at once, at most the budget of them is ever checked, and whatever
// arrives after the budget is spent (the right password too) is refused until the window has
// passed. A successful sign-in clears its name's failures and gives the address back its attempt
// (not the address's other failures: one known password must not reset the budget for guessing
// others).
//
// The budgets are kept in the database (SessionStore), shared by every gateway instance on it:
// each attempt is taken by one statement that returns the count it made, so guesses spread over
// instances, or sent to all of them at once, meet one budget. A window starts with its budget's
// first attempt and lasts `failure_window`; a spent budget is locked until its window ends. User
// names are kept only as an HMAC under the database's own key.
//
// Locks and unlocks are reported as events for the audit log, each by the one instance whose
// statement raised it; the caller takes them after each call (take_events) and records them.
#include <chrono>
#include <expected>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/client_config.h"
#include "store/session_store.h"

namespace knutpunkt::identity {

using WallClock = std::function<std::chrono::system_clock::time_point()>;

enum class ThrottleScope { user, address };

struct ThrottleEvent {
  enum class Kind { locked, unlocked };
  Kind kind = Kind::locked;
  ThrottleScope scope = ThrottleScope::user;
  // The user name as typed, or the address; empty for a name whose lock a sweep lifted (only its
  // hash is stored), which key_hash then names.
  std::string key;
  std::string key_hash;        // the name's keyed hash (scope user)
  std::string remote_address;  // the address of the latest attempt
  std::string reason;          // unlocked: "window_passed" or "signed_in"
  std::chrono::system_clock::time_point at;
  std::chrono::system_clock::time_point until;  // locked: when the window lets the next attempt in
};

// One attempt taken from both budgets; settle it with failed() or succeeded().
struct Reservation {
  std::string username;
  std::string address;
  std::chrono::system_clock::time_point at;
  std::string user_key;             // the name's keyed hash
  std::int64_t address_window = 0;  // the address budget's window the attempt was taken from
};

struct ThrottleRefusal {
  ThrottleScope scope = ThrottleScope::user;  // the address when both are spent
  std::chrono::seconds retry_after{1};        // until the spent budget has an attempt again
  // The budgets could not be read or written: refused, since an attempt that cannot be counted
  // must not be checked.
  bool unavailable = false;
};

std::string_view to_string(ThrottleScope scope);

class SignInThrottle {
 public:
  SignInThrottle(SessionStore& store, const SignInSettings& settings, WallClock clock);

  std::expected<Reservation, ThrottleRefusal> reserve(const std::string& username, const std::string& address);
  // The password was wrong: the attempt stays spent, and a budget it used up is locked.
  void failed(const Reservation& reservation);
  // The password was right: the name's failures are cleared, the address gets its attempt back.
  void succeeded(const Reservation& reservation);
  // Locks whose window has passed are lifted (reported), and budgets of passed windows dropped.
  // reserve() does this too; a periodic call makes an unlock reported when it happens, not at
  // the next try.
  void sweep();

  std::vector<ThrottleEvent> take_events();
  // Names and addresses with attempts remembered.
  std::size_t tracked() const;

 private:
  using TimePoint = std::chrono::system_clock::time_point;

  std::expected<std::string, StoreError> user_key(const std::string& username);
  std::chrono::seconds until_window_ends(std::int64_t window_start, TimePoint now) const;
  void sweep_at(TimePoint now);
  void lock_if_spent(ThrottleScope scope, const std::string& key, const Reservation& r, int limit, TimePoint now);
  void report(ThrottleEvent event);

  SessionStore& store_;
  int max_per_user_;
  int max_per_address_;
  std::chrono::seconds window_;
  WallClock clock_;
  mutable std::mutex mutex_;
  std::optional<std::string> hash_key_;
  std::vector<ThrottleEvent> events_;
};

}  // namespace knutpunkt::identity
