#pragma once
// Console sessions and sign-in failure budgets in PostgreSQL (store/session_store.h).
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/session_records.h"

namespace knutpunkt::pg {

std::string_view session_schema();

std::expected<void, StoreError> apply(Connection& c, const store_write::PutSession& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::EndSession& w);

std::expected<std::optional<SessionRecord>, StoreError> session(Connection& c, const std::string& token_hash);
std::expected<void, StoreError> touch_session(Connection& c, const std::string& token_hash, std::int64_t used_at,
                                              std::int64_t unless_since);
std::expected<bool, StoreError> remove_session(Connection& c, const std::string& token_hash);
std::expected<std::int64_t, StoreError> remove_expired_sessions(Connection& c, std::int64_t now,
                                                                std::int64_t idle_since);
std::expected<std::int64_t, StoreError> session_count(Connection& c);

std::expected<std::string, StoreError> sign_in_key(Connection& c);
std::expected<SignInBudget, StoreError> take_sign_in_attempt(Connection& c, const std::string& scope,
                                                             const std::string& key, const std::string& remote_address,
                                                             std::int64_t now, std::int64_t window_passed);
std::expected<void, StoreError> return_sign_in_attempt(Connection& c, const std::string& scope, const std::string& key,
                                                       std::int64_t window_start);
std::expected<std::optional<std::int64_t>, StoreError> lock_sign_in(Connection& c, const std::string& scope,
                                                                    const std::string& key, int limit,
                                                                    std::int64_t window);
std::expected<bool, StoreError> unlock_sign_in_below(Connection& c, const std::string& scope, const std::string& key,
                                                     int limit);
std::expected<bool, StoreError> clear_sign_in(Connection& c, const std::string& scope, const std::string& key);
std::expected<std::vector<SignInUnlock>, StoreError> sweep_sign_in(Connection& c, std::int64_t window_passed);
std::expected<std::int64_t, StoreError> sign_in_tracked(Connection& c);

}  // namespace knutpunkt::pg
