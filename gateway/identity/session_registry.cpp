#include "identity/session_registry.h"

#include <openssl/rand.h>

#include "core/digest.h"
#include "core/hex.h"
#include "log/log.h"

namespace knutpunkt::identity {

namespace {

std::string random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  return hex_encode(bytes);
}

std::int64_t ms(std::chrono::seconds s) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(s).count();
}

}  // namespace

std::int64_t to_store_time(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_store_time(std::int64_t ms) {
  return std::chrono::system_clock::time_point{
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::milliseconds{ms})};
}

SessionRegistry::SessionRegistry(SessionStore& store, SessionTimeouts timeouts, Clock clock)
    : store_(store),
      timeouts_(timeouts),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::system_clock::now(); })) {}

Session SessionRegistry::open(const UserConfig& user) const {
  const auto now = clock_();
  Session s;
  s.token = random_token();
  s.user_id = user.id;
  s.user_name = user.name;
  s.expires_at = now + timeouts_.lifetime;
  s.principal.id = "user:" + user.id;
  s.principal.roles = user.roles;
  if (user.roles.contains(kRoleAdmin)) s.principal.roles.insert({kRoleOperator, kRoleAuditor});
  s.put.session =
      SessionRecord{sha256_hex(s.token), user.id, s.principal.roles, to_store_time(s.expires_at), to_store_time(now)};
  return s;
}

store_write::EndSession SessionRegistry::ending(std::string_view token) {
  return {sha256_hex(token)};
}

const ClientConfig* SessionRegistry::principal(std::string_view token) const {
  const std::string key = sha256_hex(token);
  const std::int64_t now = now_ms();
  auto found = store_.session(key);
  if (!found) {
    log::warn("session_unreadable", {{"code", found.error().code}});
    return nullptr;
  }
  if (!*found) return nullptr;
  const SessionRecord& s = **found;
  if (now >= s.expires_at || now - s.last_used_at >= ms(timeouts_.idle)) {
    remove_expired(now);
    return nullptr;
  }
  if (now - s.last_used_at >= ms(kUseNotedEvery)) {
    // Not noting the use only shortens the session: the request itself is still answered.
    // Another instance may have noted a use meanwhile: the store notes this one only if that is
    // still a full interval ago.
    if (auto noted = store_.touch_session(key, now, now - ms(kUseNotedEvery) + 1); !noted) {
      log::warn("session_use_unnoted", {{"code", noted.error().code}});
    }
  }
  return shared_principal(s);
}

bool SessionRegistry::close(std::string_view token) {
  auto removed = store_.remove_session(sha256_hex(token));
  if (!removed) {
    log::warn("session_not_removed", {{"code", removed.error().code}});
    return false;
  }
  return *removed;
}

void SessionRegistry::sweep() {
  remove_expired(now_ms());
}

std::size_t SessionRegistry::size() const {
  auto n = store_.session_count();
  return n ? static_cast<std::size_t>(*n) : 0;
}

const ClientConfig* SessionRegistry::shared_principal(const SessionRecord& record) const {
  std::string key = record.user_id;
  for (const std::string& role : record.roles) key += '\n' + role;
  std::lock_guard lock(mutex_);
  auto& kept = principals_[key];
  if (!kept) {
    auto principal = std::make_unique<ClientConfig>();
    principal->id = "user:" + record.user_id;
    principal->roles = record.roles;
    kept = std::move(principal);
  }
  return kept.get();
}

std::int64_t SessionRegistry::now_ms() const {
  return to_store_time(clock_());
}

void SessionRegistry::remove_expired(std::int64_t now) const {
  if (auto removed = store_.remove_expired_sessions(now, now - ms(timeouts_.idle)); !removed) {
    log::warn("sessions_not_swept", {{"code", removed.error().code}});
  }
}

}  // namespace knutpunkt::identity
