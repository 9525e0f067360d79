#pragma once
// Console sessions and sign-in failure budgets, kept in the database so that every gateway
// instance on it knows the same sessions and counts the same guesses.
#include <cstdint>
#include <set>
#include <string>

namespace knutpunkt {

// Times are milliseconds since the Unix epoch: compared and computed on in SQL by every instance.
struct SessionRecord {
  std::string token_hash;  // SHA-256 of the bearer token, hex: the token itself is never stored
  std::string user_id;
  std::set<std::string> roles;    // the principal's roles, admin's implied ones included
  std::int64_t expires_at = 0;    // the end of its lifetime, however it is used
  std::int64_t last_used_at = 0;  // idle time runs from here (refreshed at most once a minute)
};

// One budget's state after an attempt was taken from it.
struct SignInBudget {
  std::int64_t attempts = 0;      // in the window, this one included
  std::int64_t window_start = 0;  // the window's first attempt; it ends `window` later
};

// A lock lifted because its window passed, as the sweep that lifted it found it.
struct SignInUnlock {
  std::string scope;  // "user" or "address"
  std::string key;    // the keyed hash of the user name, or the address
  std::string remote_address;
  std::int64_t locked_until = 0;
};

namespace store_write {
// Committed with the auth.signed_in record: the session exists if and only if its record does.
struct PutSession {
  SessionRecord session;
};
// Committed with the auth.signed_out record.
struct EndSession {
  std::string token_hash;
};
}  // namespace store_write

}  // namespace knutpunkt
