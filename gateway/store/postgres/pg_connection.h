#pragma once
// libpq underneath the PostgreSQL store: one connection with parameterised statements (text
// format, never SQL built from values), a bounded pool that replaces broken connections (so the
// store works again after the server restarts, without restarting the gateway), and a
// transaction that rolls back unless committed. Failures are values carrying the SQLSTATE.
#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/store_error.h"

namespace knutpunkt::pg {

// SQLSTATE classes the store reacts to.
inline constexpr std::string_view kUniqueViolation = "23505";

// A failed statement: the StoreError the store returns, with what the store decides on.
struct PgError {
  StoreError error;
  std::string sqlstate;          // "" when the server never answered
  bool connection_lost = false;  // the connection is unusable: retry only what did not reach the server
};

struct ResultClearer {
  void operator()(PGresult* r) const { PQclear(r); }
};

// The rows of one statement, read as text (the text result format).
class Result {
 public:
  explicit Result(PGresult* r) : result_(r) {}
  int rows() const { return PQntuples(result_.get()); }
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string text(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  int int32(int row, int column) const { return static_cast<int>(int64(row, column)); }
  bool boolean(int row, int column) const;
  // The command tag, e.g. "COMMIT", or "ROLLBACK" for a COMMIT of a failed transaction.
  std::string_view command() const { return PQcmdStatus(result_.get()); }
  const PGresult* get() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, ResultClearer> result_;
};

// Statement parameters in text format; nullopt is SQL NULL.
class Params {
 public:
  Params& add(std::string_view text) {
    values_.emplace_back(std::string(text));
    return *this;
  }
  Params& add(const std::string& text) { return add(std::string_view(text)); }
  Params& add(const char* text) { return add(std::string_view(text)); }
  Params& add(std::int64_t value) { return add(std::to_string(value)); }
  Params& add(int value) { return add(static_cast<std::int64_t>(value)); }
  Params& add(bool value) { return add(value ? "true" : "false"); }
  Params& null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  // A LIMIT: SQLite reads a negative limit as none, and so does this (LIMIT NULL).
  Params& limit(int value) { return value < 0 ? null() : add(value); }
  std::size_t size() const { return values_.size(); }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

// One statement to send, for Connection::query_all.
struct Statement {
  std::string sql;
  Params params;
  std::string_view doing;
};

struct ConnectionCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};

class Connection {
 public:
  // Connects with `conninfo`, adding the password when given (never logged, never in the string
  // kept anywhere else). Error code "postgresql_unavailable".
  static std::expected<std::unique_ptr<Connection>, StoreError> open(const std::string& conninfo,
                                                                     const std::optional<std::string>& password);

  // Runs one parameterised statement (PQexecParams: the values never become SQL text).
  std::expected<Result, PgError> exec(std::string_view sql, const Params& params = {},
                                      std::string_view doing = "statement");
  // The same for statements without results, where the PgError detail is not needed.
  std::expected<void, StoreError> run(std::string_view sql, const Params& params, std::string_view doing);
  std::expected<Result, StoreError> query(std::string_view sql, const Params& params, std::string_view doing);
  // Several statements without parameters in one round trip: for the schema's own DDL only,
  // never for anything that carries a value.
  std::expected<void, StoreError> run_script(const char* sql, std::string_view doing);
  // Several statements whose rows are all wanted: in a pipeline they travel together and their
  // answers come back in one round trip.
  std::expected<std::vector<Result>, StoreError> query_all(const std::vector<Statement>& statements);

  // Pipeline mode (libpq): until end_pipeline(), run() sends its statement without waiting for
  // the answer, and query() reads the answers of everything sent before its own. A transaction's
  // writes then cost one round trip rather than one each, which matters most while they hold a
  // lock other instances wait for. The price: a failure of a statement sent by run() surfaces
  // at the next query() or at end_pipeline(), and the statements after it are not run, so only
  // a transaction that is rolled back on any failure may use it.
  std::expected<void, StoreError> begin_pipeline();
  // Reads every answer still due; the first failure among them, if any.
  std::expected<void, StoreError> end_pipeline();

  // A connection whose pipeline could not be ended is out of step with its server: the pool
  // drops it like a broken one.
  bool broken() const { return out_of_step_ || PQstatus(conn_.get()) != CONNECTION_OK; }

 private:
  explicit Connection(PGconn* c) : conn_(c) {}
  std::expected<void, PgError> send(std::string_view sql, const Params& params, std::string_view doing);
  // Asks the server for what it has answered so far.
  std::expected<void, PgError> flush(std::string_view doing);
  std::expected<Result, PgError> read_answer(std::string_view doing);
  // The answers to what run() sent, in order: the first failure among them.
  std::expected<void, PgError> read_awaited();

  std::unique_ptr<PGconn, ConnectionCloser> conn_;
  bool pipelined_ = false;
  bool out_of_step_ = false;
  std::vector<std::string> awaited_;  // what each statement run() sent is doing, in order
};

// Pipeline mode for a scope: ended (every answer read) by end() or, when the scope is left on a
// failure, by the destructor, so the transaction's ROLLBACK runs on a connection in step.
class PipelineScope {
 public:
  explicit PipelineScope(Connection& c) : conn_(c) {}
  ~PipelineScope() {
    if (open_) (void)conn_.end_pipeline();
  }
  PipelineScope(const PipelineScope&) = delete;
  PipelineScope& operator=(const PipelineScope&) = delete;

  std::expected<void, StoreError> begin() {
    auto begun = conn_.begin_pipeline();
    open_ = begun.has_value();
    return begun;
  }
  std::expected<void, StoreError> end() {
    open_ = false;
    return conn_.end_pipeline();
  }

 private:
  Connection& conn_;
  bool open_ = false;
};

// A bounded set of connections. acquire() waits up to the timeout for a free one, opens a new
// one while fewer than `size` exist, and drops a connection that broke instead of returning it.
class Pool {
 public:
  Pool(std::string conninfo, std::optional<std::string> password, int size, std::chrono::milliseconds wait);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> c) : pool_(&pool), conn_(std::move(c)) {}
    Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }
    // Closes the connection instead of returning it (it broke).
    void discard() { conn_.reset(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // "postgresql_unavailable" when no connection could be made or none came free in time.
  std::expected<Lease, StoreError> acquire();

 private:
  void give_back(std::unique_ptr<Connection> c);

  const std::string conninfo_;
  const std::optional<std::string> password_;
  const int size_;
  const std::chrono::milliseconds wait_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // connections existing, idle or leased
};

// BEGIN on construction (begin()), ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& c) : conn_(c) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  std::expected<void, PgError> begin();
  // Success only when the server acknowledged COMMIT. A connection lost during COMMIT leaves the
  // outcome unknown to this process: that is reported as the error it is.
  std::expected<void, PgError> commit();

 private:
  Connection& conn_;
  bool open_ = false;
};

}  // namespace knutpunkt::pg
