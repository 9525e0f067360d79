#include "identity/session_registry.h"

#include <openssl/rand.h>

#include "core/digest.h"
#include "core/hex.h"

namespace knutpunkt::identity {

namespace {

std::string random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  return hex_encode(bytes);
}

}  // namespace

SessionRegistry::SessionRegistry(SessionTimeouts timeouts, Clock clock)
    : timeouts_(timeouts), clock_(clock ? std::move(clock) : Clock([] { return std::chrono::system_clock::now(); })) {}

Session SessionRegistry::open(const UserConfig& user) {
  const auto now = clock_();
  Session s;
  s.token = random_token();
  s.user_id = user.id;
  s.user_name = user.name;
  s.expires_at = now + timeouts_.lifetime;
  s.principal.id = "user:" + user.id;
  s.principal.roles = user.roles;
  if (user.roles.contains(kRoleAdmin)) s.principal.roles.insert({kRoleOperator, kRoleAuditor});
  std::lock_guard lock(mutex_);
  remove_expired(now);
  by_token_hash_[sha256_hex(s.token)] = Entry{std::make_shared<const ClientConfig>(s.principal), s.expires_at, now};
  return s;
}

const ClientConfig* SessionRegistry::principal(std::string_view token) const {
  const std::string key = sha256_hex(token);
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  const auto it = by_token_hash_.find(key);
  if (it == by_token_hash_.end()) return nullptr;
  if (expired(it->second, now)) {
    remove(it);
    return nullptr;
  }
  it->second.last_used = now;
  return it->second.principal.get();
}

bool SessionRegistry::close(std::string_view token) {
  std::lock_guard lock(mutex_);
  const auto it = by_token_hash_.find(sha256_hex(token));
  if (it == by_token_hash_.end()) return false;
  remove(it);
  return true;
}

void SessionRegistry::sweep() {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  remove_expired(now);
}

std::size_t SessionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return by_token_hash_.size();
}

bool SessionRegistry::expired(const Entry& e, std::chrono::system_clock::time_point now) const {
  return now >= e.expires_at || now - e.last_used >= timeouts_.idle;
}

void SessionRegistry::remove_expired(std::chrono::system_clock::time_point now) {
  for (auto it = by_token_hash_.begin(); it != by_token_hash_.end();) {
    const auto next = std::next(it);
    if (expired(it->second, now)) remove(it);
    it = next;
  }
}

void SessionRegistry::remove(Entries::iterator it) const {
  retired_.push_back(it->second.principal);
  by_token_hash_.erase(it);
}

}  // namespace knutpunkt::identity
