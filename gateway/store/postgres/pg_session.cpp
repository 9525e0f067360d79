#include "store/postgres/pg_session.h"

#include "store/postgres/pg_json.h"

namespace knutpunkt::pg {

std::string_view session_schema() {
  return R"sql(
    -- Console sessions, known to every instance: keyed by the token's SHA-256 (the database never
    -- holds a usable token). Times are milliseconds since the epoch.
    CREATE TABLE console_session (
      token_hash   text PRIMARY KEY,
      user_id      text NOT NULL,
      roles        text NOT NULL,
      expires_at   bigint NOT NULL,
      last_used_at bigint NOT NULL
    );
    CREATE INDEX console_session_expires_at ON console_session (expires_at);
    CREATE INDEX console_session_last_used_at ON console_session (last_used_at);
    -- Sign-in failure budgets shared by every instance; a user name is kept only as an HMAC under
    -- sign_in_key (what is typed at sign-in may be a personnummer).
    CREATE TABLE sign_in_budget (
      scope          text NOT NULL,
      key            text NOT NULL,
      window_start   bigint NOT NULL,
      attempts       bigint NOT NULL,
      remote_address text NOT NULL,
      locked_until   bigint,
      PRIMARY KEY (scope, key)
    );
    CREATE INDEX sign_in_budget_window_start ON sign_in_budget (window_start);
    -- gen_random_uuid draws from the server's strong random source (pg_strong_random); two of
    -- them hashed give a 256-bit key without the pgcrypto extension.
    CREATE TABLE sign_in_key (one integer PRIMARY KEY CHECK (one = 1), key text NOT NULL);
    INSERT INTO sign_in_key (one, key)
      VALUES (1, encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'));
  )sql";
}

namespace {

std::expected<std::int64_t, StoreError> returned_rows(Connection& c, std::string_view sql, const Params& params,
                                                      std::string_view doing) {
  auto r = c.query(sql, params, doing);
  if (!r) return std::unexpected(r.error());
  return r->rows();
}

std::expected<std::int64_t, StoreError> count(Connection& c, std::string_view sql, std::string_view doing) {
  auto r = c.query(sql, {}, doing);
  if (!r) return std::unexpected(r.error());
  return r->int64(0, 0);
}

}  // namespace

std::expected<void, StoreError> apply(Connection& c, const store_write::PutSession& w) {
  const SessionRecord& r = w.session;
  return c.run(
      "INSERT INTO console_session (token_hash, user_id, roles, expires_at, last_used_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      Params()
          .add(r.token_hash)
          .add(r.user_id)
          .add(nlohmann::json(r.roles).dump())
          .add(r.expires_at)
          .add(r.last_used_at),
      "store session");
}

std::expected<void, StoreError> apply(Connection& c, const store_write::EndSession& w) {
  return c.run("DELETE FROM console_session WHERE token_hash = $1", Params().add(w.token_hash), "end session");
}

std::expected<std::optional<SessionRecord>, StoreError> session(Connection& c, const std::string& token_hash) {
  auto r =
      c.query("SELECT token_hash, user_id, roles, expires_at, last_used_at FROM console_session WHERE token_hash = $1",
              Params().add(token_hash), "read session");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  SessionRecord s{r->text(0, 0), r->text(0, 1), {}, r->int64(0, 3), r->int64(0, 4)};
  const auto roles = nlohmann::json::parse(r->text(0, 2), nullptr, /*allow_exceptions=*/false);
  if (roles.is_array()) {
    for (const auto& role : roles) {
      if (role.is_string()) s.roles.insert(role.get<std::string>());
    }
  }
  return s;
}

std::expected<void, StoreError> touch_session(Connection& c, const std::string& token_hash, std::int64_t used_at,
                                              std::int64_t unless_since) {
  return c.run("UPDATE console_session SET last_used_at = $2 WHERE token_hash = $1 AND last_used_at < $3",
               Params().add(token_hash).add(used_at).add(unless_since), "note session use");
}

std::expected<bool, StoreError> remove_session(Connection& c, const std::string& token_hash) {
  auto n = returned_rows(c, "DELETE FROM console_session WHERE token_hash = $1 RETURNING 1", Params().add(token_hash),
                         "remove session");
  if (!n) return std::unexpected(n.error());
  return *n > 0;
}

std::expected<std::int64_t, StoreError> remove_expired_sessions(Connection& c, std::int64_t now,
                                                                std::int64_t idle_since) {
  return returned_rows(c, "DELETE FROM console_session WHERE expires_at <= $1 OR last_used_at <= $2 RETURNING 1",
                       Params().add(now).add(idle_since), "remove expired sessions");
}

std::expected<std::int64_t, StoreError> session_count(Connection& c) {
  return count(c, "SELECT COUNT(*) FROM console_session", "count sessions");
}

std::expected<std::string, StoreError> sign_in_key(Connection& c) {
  auto r = c.query("SELECT key FROM sign_in_key WHERE one = 1", {}, "read sign-in key");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::unexpected(StoreError{"postgresql_error", "the sign-in key is missing"});
  return r->text(0, 0);
}

std::expected<SignInBudget, StoreError> take_sign_in_attempt(Connection& c, const std::string& scope,
                                                             const std::string& key, const std::string& remote_address,
                                                             std::int64_t now, std::int64_t window_passed) {
  // One statement: an instance racing on the same budget waits for this row's lock and then
  // counts on from what this attempt made.
  auto r = c.query(
      "INSERT INTO sign_in_budget (scope, key, window_start, attempts, remote_address) VALUES ($1, $2, $3, 1, $4) "
      "ON CONFLICT (scope, key) DO UPDATE SET "
      "attempts = CASE WHEN sign_in_budget.locked_until IS NULL AND sign_in_budget.window_start <= $5 "
      "THEN 1 ELSE sign_in_budget.attempts + 1 END, "
      "window_start = CASE WHEN sign_in_budget.locked_until IS NULL AND sign_in_budget.window_start <= $5 "
      "THEN excluded.window_start ELSE sign_in_budget.window_start END, "
      "remote_address = excluded.remote_address "
      "RETURNING attempts, window_start",
      Params().add(scope).add(key).add(now).add(remote_address).add(window_passed), "take sign-in attempt");
  if (!r) return std::unexpected(r.error());
  return SignInBudget{r->int64(0, 0), r->int64(0, 1)};
}

std::expected<void, StoreError> return_sign_in_attempt(Connection& c, const std::string& scope, const std::string& key,
                                                       std::int64_t window_start) {
  return c.run(
      "UPDATE sign_in_budget SET attempts = attempts - 1 "
      "WHERE scope = $1 AND key = $2 AND window_start = $3 AND attempts > 0",
      Params().add(scope).add(key).add(window_start), "return sign-in attempt");
}

std::expected<std::optional<std::int64_t>, StoreError> lock_sign_in(Connection& c, const std::string& scope,
                                                                    const std::string& key, int limit,
                                                                    std::int64_t window) {
  auto r = c.query(
      "UPDATE sign_in_budget SET locked_until = window_start + $4::bigint "
      "WHERE scope = $1 AND key = $2 AND locked_until IS NULL AND attempts >= $3 RETURNING locked_until",
      Params().add(scope).add(key).add(limit).add(window), "lock sign-in");
  if (!r) return std::unexpected(r.error());
  if (r->rows() == 0) return std::nullopt;
  return r->int64(0, 0);
}

std::expected<bool, StoreError> unlock_sign_in_below(Connection& c, const std::string& scope, const std::string& key,
                                                     int limit) {
  auto n = returned_rows(c,
                         "UPDATE sign_in_budget SET locked_until = NULL "
                         "WHERE scope = $1 AND key = $2 AND locked_until IS NOT NULL AND attempts < $3 RETURNING 1",
                         Params().add(scope).add(key).add(limit), "unlock sign-in");
  if (!n) return std::unexpected(n.error());
  return *n > 0;
}

std::expected<bool, StoreError> clear_sign_in(Connection& c, const std::string& scope, const std::string& key) {
  auto r = c.query("DELETE FROM sign_in_budget WHERE scope = $1 AND key = $2 RETURNING locked_until",
                   Params().add(scope).add(key), "clear sign-in budget");
  if (!r) return std::unexpected(r.error());
  return r->rows() > 0 && !r->is_null(0, 0);
}

std::expected<std::vector<SignInUnlock>, StoreError> sweep_sign_in(Connection& c, std::int64_t window_passed) {
  auto r =
      c.query("DELETE FROM sign_in_budget WHERE window_start <= $1 RETURNING scope, key, remote_address, locked_until",
              Params().add(window_passed), "sweep sign-in budgets");
  if (!r) return std::unexpected(r.error());
  std::vector<SignInUnlock> lifted;
  for (int i = 0; i < r->rows(); ++i) {
    if (!r->is_null(i, 3)) lifted.push_back({r->text(i, 0), r->text(i, 1), r->text(i, 2), r->int64(i, 3)});
  }
  return lifted;
}

std::expected<std::int64_t, StoreError> sign_in_tracked(Connection& c) {
  return count(c, "SELECT COUNT(*) FROM sign_in_budget", "count sign-in budgets");
}

}  // namespace knutpunkt::pg
