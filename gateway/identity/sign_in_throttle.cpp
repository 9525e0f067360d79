#include "identity/sign_in_throttle.h"

#include <algorithm>

#include "core/digest.h"
#include "identity/session_registry.h"
#include "log/log.h"

namespace knutpunkt::identity {

namespace {

constexpr std::string_view kUser = "user";
constexpr std::string_view kAddress = "address";

void warn_unstored(std::string_view doing, const StoreError& error) {
  log::warn("sign_in_budget_unstored", {{"doing", doing}, {"code", error.code}});
}

}  // namespace

std::string_view to_string(ThrottleScope scope) {
  return scope == ThrottleScope::user ? kUser : kAddress;
}

SignInThrottle::SignInThrottle(SessionStore& store, const SignInSettings& settings, WallClock clock)
    : store_(store),
      max_per_user_(std::max(settings.max_failures_per_user, 1)),
      max_per_address_(std::max(settings.max_failures_per_address, 1)),
      window_(settings.failure_window),
      clock_(std::move(clock)) {}

std::expected<Reservation, ThrottleRefusal> SignInThrottle::reserve(const std::string& username,
                                                                    const std::string& address) {
  const TimePoint now = clock_();
  sweep_at(now);
  const ThrottleRefusal unavailable{ThrottleScope::address, std::chrono::seconds{1}, true};
  auto key = user_key(username);
  if (!key) return std::unexpected(unavailable);
  const std::int64_t at = to_store_time(now);
  const std::int64_t passed = to_store_time(now - window_);
  const std::string by_address(kAddress);
  const std::string by_user(kUser);
  // The address first: when both budgets are spent, the refusal names the address, which the
  // client cannot change by trying another name.
  auto from_address = store_.take_sign_in_attempt(by_address, address, address, at, passed);
  if (!from_address) {
    warn_unstored("take_attempt", from_address.error());
    return std::unexpected(unavailable);
  }
  // A refused attempt gives back what it took: it was never checked, and must not count.
  if (from_address->attempts > max_per_address_) {
    if (auto back = store_.return_sign_in_attempt(by_address, address, from_address->window_start); !back) {
      warn_unstored("return_attempt", back.error());
    }
    return std::unexpected(ThrottleRefusal{ThrottleScope::address, until_window_ends(from_address->window_start, now)});
  }
  auto from_user = store_.take_sign_in_attempt(by_user, *key, address, at, passed);
  if (!from_user || from_user->attempts > max_per_user_) {
    if (auto back = store_.return_sign_in_attempt(by_address, address, from_address->window_start); !back) {
      warn_unstored("return_attempt", back.error());
    }
    if (!from_user) {
      warn_unstored("take_attempt", from_user.error());
      return std::unexpected(unavailable);
    }
    if (auto back = store_.return_sign_in_attempt(by_user, *key, from_user->window_start); !back) {
      warn_unstored("return_attempt", back.error());
    }
    return std::unexpected(ThrottleRefusal{ThrottleScope::user, until_window_ends(from_user->window_start, now)});
  }
  return Reservation{username, address, now, *key, from_address->window_start};
}

void SignInThrottle::failed(const Reservation& reservation) {
  const TimePoint now = clock_();
  lock_if_spent(ThrottleScope::user, reservation.user_key, reservation, max_per_user_, now);
  lock_if_spent(ThrottleScope::address, reservation.address, reservation, max_per_address_, now);
}

void SignInThrottle::succeeded(const Reservation& reservation) {
  const TimePoint now = clock_();
  const std::string by_user(kUser);
  const std::string by_address(kAddress);
  auto cleared = store_.clear_sign_in(by_user, reservation.user_key);
  if (!cleared) warn_unstored("clear", cleared.error());
  if (cleared && *cleared) {
    report({ThrottleEvent::Kind::unlocked,
            ThrottleScope::user,
            reservation.username,
            reservation.user_key,
            reservation.address,
            "signed_in",
            now,
            {}});
  }
  if (auto back = store_.return_sign_in_attempt(by_address, reservation.address, reservation.address_window); !back) {
    warn_unstored("return_attempt", back.error());
  }
  auto lifted = store_.unlock_sign_in_below(by_address, reservation.address, max_per_address_);
  if (!lifted) warn_unstored("unlock", lifted.error());
  if (lifted && *lifted) {
    report({ThrottleEvent::Kind::unlocked,
            ThrottleScope::address,
            reservation.address,
            {},
            reservation.address,
            "signed_in",
            now,
            {}});
  }
}

void SignInThrottle::sweep() {
  sweep_at(clock_());
}

std::vector<ThrottleEvent> SignInThrottle::take_events() {
  std::lock_guard lock(mutex_);
  return std::exchange(events_, {});
}

std::size_t SignInThrottle::tracked() const {
  auto n = store_.sign_in_tracked();
  return n ? static_cast<std::size_t>(*n) : 0;
}

std::expected<std::string, StoreError> SignInThrottle::user_key(const std::string& username) {
  std::lock_guard lock(mutex_);
  if (!hash_key_) {
    auto key = store_.sign_in_key();
    if (!key) {
      warn_unstored("read_key", key.error());
      return std::unexpected(key.error());
    }
    hash_key_ = std::move(*key);
  }
  return hmac_sha256_hex(*hash_key_, username);
}

std::chrono::seconds SignInThrottle::until_window_ends(std::int64_t window_start, TimePoint now) const {
  return std::max(std::chrono::ceil<std::chrono::seconds>(from_store_time(window_start) + window_ - now),
                  std::chrono::seconds{1});
}

void SignInThrottle::sweep_at(TimePoint now) {
  auto lifted = store_.sweep_sign_in(to_store_time(now - window_));
  if (!lifted) return warn_unstored("sweep", lifted.error());
  for (SignInUnlock& u : *lifted) {
    const bool user = u.scope == kUser;
    // The name itself is not stored: the record names its hash, which the lock's record names too.
    report({ThrottleEvent::Kind::unlocked,
            user ? ThrottleScope::user : ThrottleScope::address,
            user ? "" : u.key,
            user ? u.key : "",
            std::move(u.remote_address),
            "window_passed",
            from_store_time(u.locked_until),
            {}});
  }
}

void SignInThrottle::lock_if_spent(ThrottleScope scope, const std::string& key, const Reservation& r, int limit,
                                   TimePoint now) {
  auto until = store_.lock_sign_in(std::string(to_string(scope)), key, limit,
                                   std::chrono::duration_cast<std::chrono::milliseconds>(window_).count());
  if (!until) return warn_unstored("lock", until.error());
  if (!*until) return;
  const bool user = scope == ThrottleScope::user;
  report({ThrottleEvent::Kind::locked,
          scope,
          user ? r.username : r.address,
          user ? r.user_key : "",
          r.address,
          {},
          now,
          from_store_time(**until)});
}

void SignInThrottle::report(ThrottleEvent event) {
  std::lock_guard lock(mutex_);
  events_.push_back(std::move(event));
}

}  // namespace knutpunkt::identity
