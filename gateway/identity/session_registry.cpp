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

Session SessionRegistry::open(const UserConfig& user) {
  Session s;
  s.token = random_token();
  s.user_id = user.id;
  s.user_name = user.name;
  s.expires_at = std::chrono::system_clock::now() + lifetime_;
  s.principal.id = "user:" + user.id;
  s.principal.roles = user.roles;
  if (user.roles.contains(kRoleAdmin)) s.principal.roles.insert({kRoleOperator, kRoleAuditor});
  const auto now = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  // Expired and closed sessions are dropped here; their principals are retired, not freed.
  for (auto it = by_token_hash_.begin(); it != by_token_hash_.end();) {
    if (it->second.closed || it->second.expires_at <= now) {
      retired_.push_back(it->second.principal);
      it = by_token_hash_.erase(it);
    } else {
      ++it;
    }
  }
  by_token_hash_[sha256_hex(s.token)] = Entry{std::make_shared<const ClientConfig>(s.principal), s.expires_at, false};
  return s;
}

const ClientConfig* SessionRegistry::principal(std::string_view token) const {
  const std::string key = sha256_hex(token);
  std::lock_guard lock(mutex_);
  const auto it = by_token_hash_.find(key);
  if (it == by_token_hash_.end() || it->second.closed || it->second.expires_at <= std::chrono::system_clock::now()) {
    return nullptr;
  }
  return it->second.principal.get();
}

bool SessionRegistry::close(std::string_view token) {
  std::lock_guard lock(mutex_);
  const auto it = by_token_hash_.find(sha256_hex(token));
  if (it == by_token_hash_.end() || it->second.closed) return false;
  it->second.closed = true;
  return true;
}

}  // namespace knutpunkt::identity
