#include "http/address_rate_limit.h"

#include <algorithm>
#include <cmath>

namespace knutpunkt::http {

AddressRateLimit::AddressRateLimit(UnauthenticatedConfig config, WallClock clock)
    : config_(config), clock_(std::move(clock)) {}

AddressRateLimit::Bucket& AddressRateLimit::refilled(const std::string& address,
                                                     std::chrono::system_clock::time_point now) {
  auto it = buckets_.find(address);
  if (it == buckets_.end()) {
    if (buckets_.size() >= config_.max_addresses && !recent_.empty()) {
      buckets_.erase(recent_.back());
      recent_.pop_back();
    }
    recent_.push_front(address);
    it = buckets_.emplace(address, Bucket{static_cast<double>(config_.burst), now, recent_.begin()}).first;
    return it->second;
  }
  Bucket& bucket = it->second;
  recent_.splice(recent_.begin(), recent_, bucket.recent);
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  if (elapsed > 0) {
    bucket.tokens = std::min<double>(config_.burst, bucket.tokens + elapsed * config_.per_minute / 60.0);
    bucket.updated = now;
  }
  return bucket;
}

std::optional<std::chrono::seconds> AddressRateLimit::exhausted(const std::string& address) {
  std::lock_guard lock(mutex_);
  // An address never refused has a full bucket; known clients' addresses are not tracked.
  if (!buckets_.contains(address)) return std::nullopt;
  const Bucket& bucket = refilled(address, clock_());
  // The tolerance keeps sums of refills that are one token on paper from falling a rounding short.
  constexpr double kTolerance = 1e-9;
  if (bucket.tokens >= 1.0 - kTolerance) return std::nullopt;
  const double wait = (1.0 - bucket.tokens) * 60.0 / config_.per_minute;
  return std::chrono::seconds{std::max<long long>(1, static_cast<long long>(std::ceil(wait - kTolerance)))};
}

void AddressRateLimit::take(const std::string& address) {
  std::lock_guard lock(mutex_);
  Bucket& bucket = refilled(address, clock_());
  bucket.tokens = std::max(0.0, bucket.tokens - 1.0);
}

std::size_t AddressRateLimit::tracked() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace knutpunkt::http
