#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace knutpunkt {

// Proof that a record is durable in the chain.
struct AuditReceipt {
  std::int64_t seq = 0;
  std::string hash;
  std::string recorded_at;
};

struct AuditLogStats {
  std::uint64_t records = 0;         // records committed
  std::uint64_t commits = 0;         // successful batch transactions (one fsync each)
  std::uint64_t failed_commits = 0;  // batch transactions the store refused
};

// The tamper-evident audit log: a hash chain (audit/audit_chain.h) written by one thread with
// group commit. Several AuditLogs (gateway instances) may share one database: each batch is
// chained after the tip the store finds inside its transaction (Committer::commit_sealed). Callers never wait for the
// disk; they learn the outcome in `on_durable`.
class AuditLog {
 public:
  using OnDurable = std::function<void(std::expected<AuditReceipt, StoreError>)>;
  using OnEnqueued = std::function<void(const std::vector<OutboxMessage>&)>;

  // Reads the chain head from `store` and starts the writer thread. `store` must outlive the
  // AuditLog. The head is taken as stored; checking it is verify_chain's job.
  static std::expected<std::unique_ptr<AuditLog>, StoreError> open(Store& store);

  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Thread-safe and non-blocking. The writer takes everything queued, assigns seq,
  // recorded_at, prev_hash and hash, commits the batch in one transaction, and then calls each
  // `on_durable` on the writer thread with its receipt, or with the error when the commit failed
  // (then nothing of the batch is in the chain). Strings and keys of `body` that are not UTF-8
  // are escaped (audit/canonical_json.h, escape_utf8); a body with no canonical form even so (a
  // float) fails alone with code "non_canonical_body" and takes no seq. After stop(),
  // `on_durable` is called at once, on the caller's thread, with code "stopped".
  // Callbacks must be quick: they delay the next batch.
  void append(std::string kind, nlohmann::json body, OnDurable on_durable);

  // The same, and `writes` commit in the same transaction as the record: both are durable or
  // neither is. This is how an acceptance (outbox row, idempotency key, feed event) can never
  // exist without its audit record, nor the record without the acceptance. A write that would
  // store a key stored already (an idempotency key, a partner's message id, a reminder: another
  // instance sharing the database got there first) fails this append alone with code "conflict",
  // and its record takes no place in the chain; any other write the store refuses fails the
  // whole batch.
  void append(std::string kind, nlohmann::json body, std::vector<StoreWrite> writes, OnDurable on_durable);

  // Every outbox message a committed batch enqueued (store_write::EnqueueMessage), in commit order,
  // on the writer thread, before the batch's `on_durable` callbacks: how the delivery engine
  // schedules what is enqueued, whoever appended it. One observer (the engine); nullptr ends it.
  // The call waits for an observer that is running, so the observer's owner may go once it
  // returns.
  void observe_enqueued(OnEnqueued observer);

  // Commits what is queued, then ends the writer thread. Idempotent.
  void stop();

  AuditLogStats stats() const;

 private:
  struct Pending {
    std::string kind;
    nlohmann::json body;
    std::vector<StoreWrite> writes;
    OnDurable on_durable;
  };

  AuditLog(Store& store, std::int64_t head_seq, std::string head_hash);
  void run();
  void commit(std::deque<Pending>& batch);

  Store& store_;
  // Touched by the writer thread only (after construction).
  std::int64_t head_seq_;
  std::string head_hash_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  AuditLogStats stats_;

  // Held by the writer while it calls the observer, and by observe_enqueued: the observer is
  // never called after it was replaced.
  std::mutex observer_mutex_;
  OnEnqueued on_enqueued_;

  std::mutex stop_mutex_;
  std::thread writer_;
};

}  // namespace knutpunkt
