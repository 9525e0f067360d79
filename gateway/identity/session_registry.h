#pragma once
// Signed-in console users. A session is a random bearer token bound to a user and that user's
// roles. It ends when signed out, after `idle` without use (a console left open on an unattended
// desk), and after `lifetime` however much it is used.
//
// Sessions live in the database (SessionStore), keyed by the token's SHA-256: every gateway
// instance on it knows a session opened on any of them, a sign-out on one ends it on all at once,
// and a restart signs no one out. A session is opened and ended by an audited write the caller
// commits with its record (auth.signed_in, auth.signed_out): it exists if and only if its record
// does. Use is noted at most once a minute (kUseNotedEvery), so a busy console does not write on
// every request; the idle time is counted from the last noted use, so a session may end up to
// that much before `idle` after its very last request, never after.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "config/client_config.h"
#include "store/session_store.h"

namespace knutpunkt::identity {

struct Session {
  std::string token;       // returned once, at sign-in
  ClientConfig principal;  // id "user:<id>", the user's roles (admin implies operator and auditor)
  std::string user_id;
  std::string user_name;
  std::chrono::system_clock::time_point expires_at;  // the end of its lifetime, however it is used
  store_write::PutSession put;                       // opens the session when committed with its record
};

struct SessionTimeouts {
  std::chrono::seconds idle{15 * 60};
  std::chrono::seconds lifetime{8 * 3600};
};

inline constexpr std::chrono::seconds kUseNotedEvery{60};

class SessionRegistry {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  explicit SessionRegistry(SessionStore& store, SessionTimeouts timeouts = {}, Clock clock = {});

  // A new session for `user`, not yet open: it opens when `put` commits (with auth.signed_in).
  Session open(const UserConfig& user) const;
  // The write that ends the session of `token` (committed with auth.signed_out).
  static store_write::EndSession ending(std::string_view token);
  // The principal of a live session, or nullptr (none, expired, or the store unreadable: refused
  // either way). An expired session is removed. The pointer stays valid for the registry's life.
  const ClientConfig* principal(std::string_view token) const;
  // Ends the session of `token` without a record; false when there was none.
  bool close(std::string_view token);
  // Removes the sessions that have expired.
  void sweep();
  // Sessions held (live, or expired and not yet removed).
  std::size_t size() const;

 private:
  const ClientConfig* shared_principal(const SessionRecord& record) const;
  std::int64_t now_ms() const;
  void remove_expired(std::int64_t now) const;

  SessionStore& store_;
  SessionTimeouts timeouts_;
  Clock clock_;
  mutable std::mutex mutex_;
  // One principal per user and roles, kept for the registry's life, so a pointer handed to a
  // request in flight stays valid after its session ends.
  mutable std::map<std::string, std::unique_ptr<const ClientConfig>> principals_;
};

// Milliseconds since the epoch, as the store keeps times.
std::int64_t to_store_time(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point from_store_time(std::int64_t ms);

}  // namespace knutpunkt::identity
