#pragma once
// A token bucket per source address for callers not known by a token (config
// "server.unauthenticated"): each refusal of an unknown caller takes a token (`burst` at most,
// refilled at `per_minute`), and while an address has none left the request pipeline answers its
// unknown callers 429 with Retry-After, so scanning paths or guessing tokens runs at the refill
// rate at most. A request with a valid token is never held back: behind a load balancer or a
// shared NAT every client has the same address, and anyone on the network could otherwise lock
// the municipality's case systems out. Tokens are random and long, so the refill rate, not a
// lockout, is what guessing needs.
//
// Memory is bounded: at most `max_addresses` buckets, the least recently used forgotten first (a
// forgotten bucket starts full again, which is what a quiet address would have anyway).
#include <chrono>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "config/gateway_config.h"
#include "http/unauthenticated_refusals.h"

namespace knutpunkt::http {

class AddressRateLimit {
 public:
  explicit AddressRateLimit(
      UnauthenticatedConfig config, WallClock clock = [] { return std::chrono::system_clock::now(); });
  AddressRateLimit(const AddressRateLimit&) = delete;
  AddressRateLimit& operator=(const AddressRateLimit&) = delete;

  // nullopt while `address` has a token; otherwise how long until it has one (whole seconds, at
  // least 1), for Retry-After.
  std::optional<std::chrono::seconds> exhausted(const std::string& address);
  // Takes a token from `address` (none left stays none).
  void take(const std::string& address);

  std::size_t tracked() const;

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::system_clock::time_point updated;
    std::list<std::string>::iterator recent;
  };

  Bucket& refilled(const std::string& address, std::chrono::system_clock::time_point now);

  const UnauthenticatedConfig config_;
  const WallClock clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> recent_;  // most recently used first
};

}  // namespace knutpunkt::http
