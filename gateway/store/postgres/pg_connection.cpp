#include "store/postgres/pg_connection.h"

#include <charconv>

namespace knutpunkt::pg {
namespace {

std::string trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The primary message only: DETAIL would repeat the conflicting key's values (personal data).
PgError error_of(PGconn* conn, const PGresult* result, std::string_view doing) {
  PgError e;
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  e.sqlstate = state ? state : "";
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  e.connection_lost = PQstatus(conn) != CONNECTION_OK;
  const std::string message = primary ? primary : trimmed(PQerrorMessage(conn));
  e.error = StoreError{e.connection_lost ? "postgresql_unavailable" : "postgresql_error",
                       std::string(doing) + ": " + message + (e.sqlstate.empty() ? "" : " (" + e.sqlstate + ")")};
  return e;
}

// Statements sent by run() whose answers are not read yet, at most: a bound on what the server
// buffers for this connection, so neither side ever blocks writing while the other does too.
constexpr std::size_t kMaxAwaited = 256;

std::vector<const char*> parameter_values(const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& v : params.values()) values.push_back(v ? v->c_str() : nullptr);
  return values;
}

std::optional<PgError> holds_nul(const Params& params, std::string_view doing) {
  for (const auto& v : params.values()) {
    // Text parameters end at the first NUL, and PostgreSQL text cannot hold one: refuse rather
    // than store a silently shortened value.
    if (v && v->find('\0') != std::string::npos) {
      return PgError{StoreError{"postgresql_error", std::string(doing) + ": a value holds a NUL byte"}, "22021", false};
    }
  }
  return std::nullopt;
}

}  // namespace

std::string Result::text(int row, int column) const {
  const char* value = PQgetvalue(result_.get(), row, column);
  return std::string(value, static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::int64_t Result::int64(int row, int column) const {
  const char* value = PQgetvalue(result_.get(), row, column);
  const char* end = value + PQgetlength(result_.get(), row, column);
  std::int64_t out = 0;
  std::from_chars(value, end, out);
  return out;
}

bool Result::boolean(int row, int column) const {
  const char* value = PQgetvalue(result_.get(), row, column);
  return value[0] == 't';
}

std::expected<std::unique_ptr<Connection>, StoreError> Connection::open(const std::string& conninfo,
                                                                        const std::optional<std::string>& password) {
  // Keywords and values as arrays, expanding `conninfo`: the password is passed as a value of
  // its own and never spliced into a connection string.
  // connect_timeout first, so that `conninfo` may set its own: an unreachable server then fails
  // the caller in bounded time instead of holding a pool slot for the kernel's TCP timeout.
  std::vector<const char*> keys{"connect_timeout", "dbname"};
  std::vector<const char*> values{"10", conninfo.c_str()};
  if (password) {
    keys.push_back("password");
    values.push_back(password->c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  std::unique_ptr<Connection> c(new Connection(raw));
  if (raw == nullptr) return std::unexpected(StoreError{"postgresql_unavailable", "connect: out of memory"});
  if (PQstatus(raw) != CONNECTION_OK) {
    return std::unexpected(StoreError{"postgresql_unavailable", "connect: " + trimmed(PQerrorMessage(raw))});
  }
  // Server notices (e.g. "already exists, skipping") are not errors and not for stderr.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  // Commits are durable when acknowledged (synchronous_commit is on by default; a role or
  // database setting must not turn it off for the audit log), and timestamps are compared as
  // text, so the session's time zone and collation play no part.
  PGresult* set = PQexec(raw, "SET synchronous_commit = on");
  const bool ok = PQresultStatus(set) == PGRES_COMMAND_OK;
  PQclear(set);
  if (!ok)
    return std::unexpected(StoreError{"postgresql_error", "set synchronous_commit: " + trimmed(PQerrorMessage(raw))});
  return c;
}

std::expected<void, PgError> Connection::send(std::string_view sql, const Params& params, std::string_view doing) {
  if (auto nul = holds_nul(params, doing)) return std::unexpected(*nul);
  const auto values = parameter_values(params);
  const std::string text(sql);
  if (PQsendQueryParams(conn_.get(), text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                        nullptr, /*resultFormat=*/0) == 0) {
    return std::unexpected(error_of(conn_.get(), nullptr, doing));
  }
  return {};
}

std::expected<void, PgError> Connection::flush(std::string_view doing) {
  if (PQsendFlushRequest(conn_.get()) == 0 || PQflush(conn_.get()) != 0) {
    return std::unexpected(error_of(conn_.get(), nullptr, doing));
  }
  return {};
}

std::expected<Result, PgError> Connection::read_answer(std::string_view doing) {
  PGresult* raw = PQgetResult(conn_.get());
  if (raw == nullptr) return std::unexpected(error_of(conn_.get(), nullptr, doing));
  Result result(raw);
  // A statement's answer ends with a null result; the next statement's answer follows it.
  while (PGresult* more = PQgetResult(conn_.get())) PQclear(more);
  const ExecStatusType status = PQresultStatus(raw);
  if (status == PGRES_PIPELINE_ABORTED) {
    return std::unexpected(PgError{
        StoreError{"postgresql_error", std::string(doing) + ": not run, a statement before it in the pipeline failed"},
        "", PQstatus(conn_.get()) != CONNECTION_OK});
  }
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    return std::unexpected(error_of(conn_.get(), raw, doing));
  return result;
}

std::expected<void, PgError> Connection::read_awaited() {
  std::optional<PgError> first;
  for (const std::string& doing : awaited_) {
    auto answer = read_answer(doing);
    if (!answer && !first) first = std::move(answer.error());
  }
  awaited_.clear();
  if (first) return std::unexpected(std::move(*first));
  return {};
}

std::expected<void, StoreError> Connection::begin_pipeline() {
  if (pipelined_) return {};
  if (PQenterPipelineMode(conn_.get()) == 0) {
    return std::unexpected(error_of(conn_.get(), nullptr, "enter pipeline mode").error);
  }
  pipelined_ = true;
  return {};
}

std::expected<void, StoreError> Connection::end_pipeline() {
  if (!pipelined_) return {};
  pipelined_ = false;
  // Out of step until the server's answer to the sync is read and pipeline mode is left.
  out_of_step_ = true;
  if (PQpipelineSync(conn_.get()) == 0) return std::unexpected(error_of(conn_.get(), nullptr, "end pipeline").error);
  auto answered = read_awaited();
  for (;;) {
    PGresult* raw = PQgetResult(conn_.get());
    if (raw == nullptr) return std::unexpected(error_of(conn_.get(), nullptr, "end pipeline").error);
    const ExecStatusType status = PQresultStatus(raw);
    PQclear(raw);
    if (status == PGRES_PIPELINE_SYNC) break;
  }
  if (PQexitPipelineMode(conn_.get()) == 0) {
    return std::unexpected(error_of(conn_.get(), nullptr, "leave pipeline mode").error);
  }
  out_of_step_ = false;
  if (!answered) return std::unexpected(answered.error().error);
  return {};
}

std::expected<std::vector<Result>, StoreError> Connection::query_all(const std::vector<Statement>& statements) {
  std::vector<Result> results;
  results.reserve(statements.size());
  if (!pipelined_) {
    for (const Statement& s : statements) {
      auto r = query(s.sql, s.params, s.doing);
      if (!r) return std::unexpected(r.error());
      results.push_back(std::move(*r));
    }
    return results;
  }
  for (const Statement& s : statements) {
    if (auto sent = send(s.sql, s.params, s.doing); !sent) return std::unexpected(sent.error().error);
  }
  if (auto flushed = flush("send statements"); !flushed) return std::unexpected(flushed.error().error);
  auto earlier = read_awaited();
  std::optional<StoreError> first = earlier ? std::nullopt : std::optional(earlier.error().error);
  for (const Statement& s : statements) {
    auto r = read_answer(s.doing);
    if (!r && !first) first = r.error().error;
    if (r) results.push_back(std::move(*r));
  }
  if (first) return std::unexpected(*first);
  return results;
}

std::expected<Result, PgError> Connection::exec(std::string_view sql, const Params& params, std::string_view doing) {
  if (pipelined_) {
    if (auto sent = send(sql, params, doing); !sent) return std::unexpected(sent.error());
    if (auto flushed = flush(doing); !flushed) return std::unexpected(flushed.error());
    auto earlier = read_awaited();
    auto own = read_answer(doing);
    if (!earlier) return std::unexpected(earlier.error());
    return own;
  }
  if (auto nul = holds_nul(params, doing)) return std::unexpected(*nul);
  const auto values = parameter_values(params);
  const std::string text(sql);
  PGresult* raw = PQexecParams(conn_.get(), text.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, /*resultFormat=*/0);
  Result result(raw);
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    return std::unexpected(error_of(conn_.get(), raw, doing));
  return result;
}

std::expected<void, StoreError> Connection::run(std::string_view sql, const Params& params, std::string_view doing) {
  if (pipelined_) {
    if (auto sent = send(sql, params, doing); !sent) return std::unexpected(sent.error().error);
    awaited_.emplace_back(doing);
    if (awaited_.size() < kMaxAwaited) return {};
    if (auto flushed = flush(doing); !flushed) return std::unexpected(flushed.error().error);
    if (auto answered = read_awaited(); !answered) return std::unexpected(answered.error().error);
    return {};
  }
  auto r = exec(sql, params, doing);
  if (!r) return std::unexpected(r.error().error);
  return {};
}

std::expected<Result, StoreError> Connection::query(std::string_view sql, const Params& params,
                                                    std::string_view doing) {
  auto r = exec(sql, params, doing);
  if (!r) return std::unexpected(r.error().error);
  return std::move(*r);
}

std::expected<void, StoreError> Connection::run_script(const char* sql, std::string_view doing) {
  Result result(PQexec(conn_.get(), sql));
  const PGresult* raw = result.get();
  if (raw == nullptr || PQresultStatus(raw) != PGRES_COMMAND_OK)
    return std::unexpected(error_of(conn_.get(), raw, doing).error);
  return {};
}

Pool::Pool(std::string conninfo, std::optional<std::string> password, int size, std::chrono::milliseconds wait)
    : conninfo_(std::move(conninfo)), password_(std::move(password)), size_(size < 1 ? 1 : size), wait_(wait) {}

Pool::~Pool() = default;

Pool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->give_back(std::move(conn_));
}

std::expected<Pool::Lease, StoreError> Pool::acquire() {
  std::unique_lock lock(mutex_);
  if (!freed_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < size_; })) {
    return std::unexpected(StoreError{"postgresql_unavailable", "no database connection came free in time"});
  }
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(c));
  }
  ++open_;
  lock.unlock();
  // Connect outside the lock: a slow or unreachable server must not stall the other leases.
  auto made = Connection::open(conninfo_, password_);
  if (!made) {
    give_back(nullptr);
    return std::unexpected(made.error());
  }
  return Lease(*this, std::move(*made));
}

void Pool::give_back(std::unique_ptr<Connection> c) {
  {
    std::lock_guard lock(mutex_);
    // A broken connection is closed; the next acquire opens a fresh one in its place.
    if (c && !c->broken()) {
      idle_.push_back(std::move(c));
    } else {
      --open_;
    }
  }
  freed_.notify_one();
}

Transaction::~Transaction() {
  if (open_) (void)conn_.exec("ROLLBACK", {}, "rollback");
}

std::expected<void, PgError> Transaction::begin() {
  auto r = conn_.exec("BEGIN", {}, "begin");
  if (!r) return std::unexpected(r.error());
  open_ = true;
  return {};
}

std::expected<void, PgError> Transaction::commit() {
  open_ = false;
  auto r = conn_.exec("COMMIT", {}, "commit");
  if (!r) return std::unexpected(r.error());
  // The server answers a COMMIT of a transaction that already failed with ROLLBACK.
  if (r->command() != "COMMIT") {
    return std::unexpected(
        PgError{StoreError{"postgresql_error", "commit: the transaction was rolled back"}, "", false});
  }
  return {};
}

}  // namespace knutpunkt::pg
