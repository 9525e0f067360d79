#include "identity/sign_in_throttle.h"

#include <algorithm>

namespace knutpunkt::identity {

std::string_view to_string(ThrottleScope scope) {
  return scope == ThrottleScope::user ? "user" : "address";
}

SignInThrottle::Budget::Budget(ThrottleScope scope, int limit, std::chrono::seconds window, std::size_t max_tracked)
    : scope_(scope), limit_(std::max(limit, 1)), window_(window), max_tracked_(std::max<std::size_t>(max_tracked, 1)) {}

std::optional<std::chrono::seconds> SignInThrottle::Budget::spent(const std::string& key, TimePoint now,
                                                                  std::vector<ThrottleEvent>& events) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  prune(it, now, events);
  const auto& attempts = it->second.attempts;
  if (attempts.size() < static_cast<std::size_t>(limit_)) return std::nullopt;
  // The budget has an attempt again once the oldest of the last `limit_` attempts leaves the window.
  const TimePoint frees = attempts[attempts.size() - static_cast<std::size_t>(limit_)] + window_;
  return std::max(std::chrono::ceil<std::chrono::seconds>(frees - now), std::chrono::seconds{1});
}

void SignInThrottle::Budget::take(const std::string& key, const std::string& address, TimePoint now,
                                  std::vector<ThrottleEvent>& events) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_tracked_) evict_least_recent(now, events);
    it = entries_.emplace(key, Entry{}).first;
    it->second.recency = recency_.insert(recency_.end(), key);
  } else {
    recency_.splice(recency_.end(), recency_, it->second.recency);
  }
  it->second.attempts.push_back(now);
  it->second.remote_address = address;
}

void SignInThrottle::Budget::lock_if_spent(const std::string& key, TimePoint now, std::vector<ThrottleEvent>& events) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return;
  prune(it, now, events);
  Entry& e = it->second;
  if (e.locked_until || e.attempts.size() < static_cast<std::size_t>(limit_)) return;
  e.locked_until = e.attempts[e.attempts.size() - static_cast<std::size_t>(limit_)] + window_;
  locks_.emplace(*e.locked_until, key);
  events.push_back({ThrottleEvent::Kind::locked, scope_, key, e.remote_address, {}, now, *e.locked_until});
}

void SignInThrottle::Budget::clear(const std::string& key, TimePoint now, std::vector<ThrottleEvent>& events) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (it->second.locked_until) unlock(it, "signed_in", now, events);
  erase(it);
}

void SignInThrottle::Budget::give_back(const std::string& key, TimePoint attempt, TimePoint now,
                                       std::vector<ThrottleEvent>& events) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return;
  auto& attempts = it->second.attempts;
  const auto found = std::find(attempts.rbegin(), attempts.rend(), attempt);
  if (found != attempts.rend()) attempts.erase(std::next(found).base());
  if (it->second.locked_until && attempts.size() < static_cast<std::size_t>(limit_)) {
    unlock(it, "signed_in", now, events);
  }
  if (attempts.empty()) erase(it);
}

void SignInThrottle::Budget::sweep(TimePoint now, std::vector<ThrottleEvent>& events) {
  while (!locks_.empty() && locks_.begin()->first <= now) {
    const auto it = entries_.find(locks_.begin()->second);
    prune(it, now, events);
    // Pruning lifts the lock (its oldest attempt has left the window); should it not, the lock's
    // time has passed all the same.
    if (it->second.locked_until) unlock(it, "window_passed", *it->second.locked_until, events);
  }
  while (!recency_.empty()) {
    const auto it = entries_.find(recency_.front());
    if (!it->second.attempts.empty() && it->second.attempts.back() + window_ > now) break;
    prune(it, now, events);
    erase(it);
  }
}

void SignInThrottle::Budget::prune(Entries::iterator it, TimePoint now, std::vector<ThrottleEvent>& events) {
  Entry& e = it->second;
  while (!e.attempts.empty() && e.attempts.front() + window_ <= now) e.attempts.pop_front();
  if (e.locked_until && e.attempts.size() < static_cast<std::size_t>(limit_)) {
    unlock(it, "window_passed", *e.locked_until, events);
  }
}

void SignInThrottle::Budget::unlock(Entries::iterator it, std::string reason, TimePoint at,
                                    std::vector<ThrottleEvent>& events) {
  Entry& e = it->second;
  locks_.erase({*e.locked_until, it->first});
  e.locked_until.reset();
  events.push_back({ThrottleEvent::Kind::unlocked, scope_, it->first, e.remote_address, std::move(reason), at, {}});
}

void SignInThrottle::Budget::erase(Entries::iterator it) {
  if (it->second.locked_until) locks_.erase({*it->second.locked_until, it->first});
  recency_.erase(it->second.recency);
  entries_.erase(it);
}

// Full: the least recently tried name (or address) is forgotten. Evicting, rather than refusing
// every name not yet known, keeps sign-in open for the users whose names are not under attack.
// It is safe because forgetting takes effort the other budget already limits: an entry at the
// front was tried longest ago, so to push out a name tried now an attacker must fail with
// `max_tracked` other names after it, within one window; with the address budget that takes
// max_tracked / max_failures_per_address addresses, and each eviction buys only one more budget
// of guesses at one name. An evicted lock is reported like any other unlock.
void SignInThrottle::Budget::evict_least_recent(TimePoint now, std::vector<ThrottleEvent>& events) {
  const auto it = entries_.find(recency_.front());
  if (it->second.locked_until) unlock(it, "evicted", now, events);
  erase(it);
}

SignInThrottle::SignInThrottle(const SignInSettings& settings, WallClock clock)
    : clock_(std::move(clock)),
      users_(ThrottleScope::user, settings.max_failures_per_user, settings.failure_window, settings.max_tracked),
      addresses_(ThrottleScope::address, settings.max_failures_per_address, settings.failure_window,
                 settings.max_tracked) {}

std::expected<Reservation, ThrottleRefusal> SignInThrottle::reserve(const std::string& username,
                                                                    const std::string& address) {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_();
  users_.sweep(now, events_);
  addresses_.sweep(now, events_);
  const auto by_user = users_.spent(username, now, events_);
  const auto by_address = addresses_.spent(address, now, events_);
  if (by_address)
    return std::unexpected(
        ThrottleRefusal{ThrottleScope::address, std::max(*by_address, by_user.value_or(std::chrono::seconds{0}))});
  if (by_user) return std::unexpected(ThrottleRefusal{ThrottleScope::user, *by_user});
  users_.take(username, address, now, events_);
  addresses_.take(address, address, now, events_);
  return Reservation{username, address, now};
}

void SignInThrottle::failed(const Reservation& reservation) {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_();
  users_.lock_if_spent(reservation.username, now, events_);
  addresses_.lock_if_spent(reservation.address, now, events_);
}

void SignInThrottle::succeeded(const Reservation& reservation) {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_();
  users_.clear(reservation.username, now, events_);
  addresses_.give_back(reservation.address, reservation.at, now, events_);
}

void SignInThrottle::sweep() {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_();
  users_.sweep(now, events_);
  addresses_.sweep(now, events_);
}

std::vector<ThrottleEvent> SignInThrottle::take_events() {
  std::lock_guard lock(mutex_);
  return std::exchange(events_, {});
}

std::size_t SignInThrottle::tracked() const {
  std::lock_guard lock(mutex_);
  return users_.size() + addresses_.size();
}

}  // namespace knutpunkt::identity
