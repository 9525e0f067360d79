#pragma once
// A thin RAII layer over libpq: connections from a pool, parameterised statements, transactions.
// Everything is sent in text format with explicit parameters ($1, $2, ...): never a value spliced
// into SQL. Errors are values carrying the SQLSTATE and libpq's message, which names the failure,
// never the data.
#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_error.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace knutpunkt::postgres {

// One parameter in text format; nullopt is SQL NULL.
using Param = std::optional<std::string>;

// Text of an integer, for a parameter.
inline Param param(std::int64_t v) { return std::to_string(v); }
inline Param param(std::string_view v) { return std::string(v); }
inline Param param(const std::string& v) { return v; }
inline Param param(const char* v) { return std::string(v); }
inline Param param(bool v) { return std::string(v ? "true" : "false"); }

// SQLSTATE classes the store's callers act on.
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";

// Error codes: "postgresql_error" (SQLSTATE in `sqlstate`), "postgresql_unavailable" (no
// connection), "conflict" (unique violation: a key already stored).
struct PgError {
  StoreError error;
  std::string sqlstate;
};

class Result {
 public:
  explicit Result(PGresult* r);
  ~Result();
  Result(Result&&) noexcept;
  Result& operator=(Result&&) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int rows() const;
  bool is_null(int row, int column) const;
  // The value as text ("" for NULL).
  std::string text(int row, int column) const;
  std::int64_t integer(int row, int column) const;  // 0 for NULL
  bool boolean(int row, int column) const;           // 't' is true
  // Rows changed by an INSERT/UPDATE/DELETE.
  std::int64_t affected() const;

 private:
  PGresult* r_;
};

class Connection {
 public:
  explicit Connection(PGconn* c);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement. A statement text seen before on this connection runs as a prepared
  // statement (prepared once per connection).
  std::expected<Result, PgError> exec(std::string_view sql, const std::vector<Param>& params = {});
  // Runs SQL without parameters, possibly several statements (migrations).
  std::expected<void, PgError> exec_script(std::string_view sql);
  bool healthy() const;

 private:
  PGconn* c_;
  std::vector<std::string> prepared_;  // statement texts prepared, index = statement name suffix
};

// Connections to one database. lease() waits for a free connection (opening one while fewer than
// `size` are open) and replaces a broken one. Thread-safe.
class Pool {
 public:
  // `conninfo` is a libpq connection string (without the password); `password` comes from a
  // file or the environment, never from the config file itself.
  static std::expected<std::shared_ptr<Pool>, StoreError> open(std::string conninfo, std::optional<std::string> password,
                                                               int size);
  class Lease;
  std::expected<Lease, StoreError> lease(std::chrono::milliseconds wait = std::chrono::seconds(10));
  // ... implementation details are the pool's own.
};

// BEGIN on construction; ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  static std::expected<Transaction, PgError> begin(Connection& c);
  std::expected<Result, PgError> exec(std::string_view sql, const std::vector<Param>& params = {});
  std::expected<void, PgError> commit();
  ~Transaction();
};

}  // namespace knutpunkt::postgres
