#pragma once
// Console sessions and sign-in failure budgets shared by every gateway instance on a database.
// Sessions are opened and ended by audited writes (store_write::PutSession, EndSession); what is
// here are the reads, the idle refresh and the budgets, which are state of their own and not
// audited one by one (locks and unlocks are, by the caller, once each).
//
// Budgets: one row per scope ("user", "address") and key, counting the attempts of a window that
// starts with its first attempt. Every change is one statement whose outcome the database decides
// (an upsert returning the count, a conditional update returning whether it changed anything), so
// instances racing on one budget never both see room that only one of them has.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "store/session_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // The session stored under `token_hash`, expired or not (the caller decides): one indexed read.
  virtual std::expected<std::optional<SessionRecord>, StoreError> session(const std::string& token_hash) = 0;
  // Notes a use at `used_at` unless one at or after `unless_since` is noted already, so a busy
  // console writes at most once per interval.
  virtual std::expected<void, StoreError> touch_session(const std::string& token_hash, std::int64_t used_at,
                                                        std::int64_t unless_since) = 0;
  // Removes a session without a record (a sign-out whose record could not be written; the safe
  // direction is to end it all the same). False when there was none.
  virtual std::expected<bool, StoreError> remove_session(const std::string& token_hash) = 0;
  // Removes the sessions past their lifetime at `now` or unused since `idle_since`; how many.
  virtual std::expected<std::int64_t, StoreError> remove_expired_sessions(std::int64_t now,
                                                                          std::int64_t idle_since) = 0;
  virtual std::expected<std::int64_t, StoreError> session_count() = 0;

  // The database's own random key for hashing user names (created with the schema): a name typed
  // at sign-in may be a personnummer and is never stored as typed.
  virtual std::expected<std::string, StoreError> sign_in_key() = 0;
  // Takes one attempt from the budget of `scope`/`key` at `now`: a budget whose window started
  // at or before `window_passed` (and that is not locked) starts a new window with this attempt.
  virtual std::expected<SignInBudget, StoreError> take_sign_in_attempt(const std::string& scope, const std::string& key,
                                                                       const std::string& remote_address,
                                                                       std::int64_t now,
                                                                       std::int64_t window_passed) = 0;
  // Gives back one attempt taken in the window that started at `window_start` (none if a new
  // window has started since).
  virtual std::expected<void, StoreError> return_sign_in_attempt(const std::string& scope, const std::string& key,
                                                                 std::int64_t window_start) = 0;
  // Locks the budget until its window ends if it holds `limit` attempts or more and is not locked
  // yet; the lock's end when this call locked it, nullopt when it did nothing (of several
  // instances, exactly one locks).
  virtual std::expected<std::optional<std::int64_t>, StoreError> lock_sign_in(const std::string& scope,
                                                                              const std::string& key, int limit,
                                                                              std::int64_t window) = 0;
  // Lifts the lock of a budget holding fewer than `limit` attempts; true when this call lifted it.
  virtual std::expected<bool, StoreError> unlock_sign_in_below(const std::string& scope, const std::string& key,
                                                               int limit) = 0;
  // Forgets the budget (a successful sign-in); true when it was locked, and this call lifted it.
  virtual std::expected<bool, StoreError> clear_sign_in(const std::string& scope, const std::string& key) = 0;
  // Forgets every budget whose window started at or before `window_passed`, returning the locks
  // this call lifted (each is returned to one caller only).
  virtual std::expected<std::vector<SignInUnlock>, StoreError> sweep_sign_in(std::int64_t window_passed) = 0;
  // Budgets remembered.
  virtual std::expected<std::int64_t, StoreError> sign_in_tracked() = 0;
};

}  // namespace knutpunkt
