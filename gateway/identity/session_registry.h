#pragma once
// Signed-in console users. A session is a random bearer token (only its SHA-256 is kept) bound
// to a user and that user's roles, valid for a fixed time or until signed out. Sessions live in
// memory: a restart signs everyone out, which is the safe direction.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "config/client_config.h"

namespace knutpunkt::identity {

struct Session {
  std::string token;       // returned once, at sign-in
  ClientConfig principal;  // id "user:<id>", the user's roles (admin implies operator and auditor)
  std::string user_id;
  std::string user_name;
  std::chrono::system_clock::time_point expires_at;
};

class SessionRegistry {
 public:
  explicit SessionRegistry(std::chrono::minutes lifetime = std::chrono::hours{8}) : lifetime_(lifetime) {}

  Session open(const UserConfig& user);
  // The principal of a live session, or nullptr. The pointer stays valid for the registry's life.
  const ClientConfig* principal(std::string_view token) const;
  // Ends the session of `token`; false when there was none.
  bool close(std::string_view token);

 private:
  struct Entry {
    std::shared_ptr<const ClientConfig> principal;
    std::chrono::system_clock::time_point expires_at;
    bool closed = false;
  };
  std::chrono::minutes lifetime_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> by_token_hash_;
  // Principals outlive their sessions, so a pointer handed to a request in flight stays valid.
  std::vector<std::shared_ptr<const ClientConfig>> retired_;
};

}  // namespace knutpunkt::identity
