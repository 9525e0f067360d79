#pragma once
// Signed-in console users. A session is a random bearer token (only its SHA-256 is kept) bound
// to a user and that user's roles. It ends when signed out, after `idle` without use (a console
// left open on an unattended desk), and after `lifetime` however much it is used. Sessions live
// in memory: a restart signs everyone out, which is the safe direction.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/client_config.h"

namespace knutpunkt::identity {

struct Session {
  std::string token;       // returned once, at sign-in
  ClientConfig principal;  // id "user:<id>", the user's roles (admin implies operator and auditor)
  std::string user_id;
  std::string user_name;
  std::chrono::system_clock::time_point expires_at;  // the end of its lifetime, however it is used
};

struct SessionTimeouts {
  std::chrono::seconds idle{15 * 60};
  std::chrono::seconds lifetime{8 * 3600};
};

class SessionRegistry {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  explicit SessionRegistry(SessionTimeouts timeouts = {}, Clock clock = {});

  Session open(const UserConfig& user);
  // The principal of a live session, or nullptr; a live session's idle time starts again, an
  // expired one is removed. The pointer stays valid for the registry's life.
  const ClientConfig* principal(std::string_view token) const;
  // Ends the session of `token`; false when there was none.
  bool close(std::string_view token);
  // Removes the sessions that have expired.
  void sweep();
  // Sessions held (live, or expired and not yet removed).
  std::size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const ClientConfig> principal;
    std::chrono::system_clock::time_point expires_at;
    std::chrono::system_clock::time_point last_used;
  };
  using Entries = std::map<std::string, Entry>;

  bool expired(const Entry& e, std::chrono::system_clock::time_point now) const;
  void remove(Entries::iterator it) const;
  void remove_expired(std::chrono::system_clock::time_point now);

  SessionTimeouts timeouts_;
  Clock clock_;
  mutable std::mutex mutex_;
  // Using a session is reading it, for the caller; the registry still notes the time.
  mutable Entries by_token_hash_;
  // Principals outlive their sessions, so a pointer handed to a request in flight stays valid.
  mutable std::vector<std::shared_ptr<const ClientConfig>> retired_;
};

}  // namespace knutpunkt::identity
