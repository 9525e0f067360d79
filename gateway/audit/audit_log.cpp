#include "audit/audit_log.h"

#include <iterator>
#include <vector>

#include "audit/audit_chain.h"
#include "audit/canonical_json.h"
#include "core/clock.h"

namespace knutpunkt {
namespace {

// Bounds one transaction, so a burst after a stall does not become one huge commit.
constexpr std::size_t kMaxBatch = 1024;

void deliver(const AuditLog::OnDurable& on_durable, std::expected<AuditReceipt, StoreError> outcome) {
  if (!on_durable) return;
  try {
    on_durable(std::move(outcome));
  } catch (...) {
    // A caller's callback must not end the writer thread; the record is durable regardless.
  }
}

// Whether the store holds this very record (same seq, same hash). A store that cannot answer
// says nothing was stored: the caller then hears a failure it must be able to survive anyway.
bool stored_record(AuditStore& store, const AuditRecord& record) {
  bool found = false;
  auto scanned = store.scan_audit(record.seq, [&](const AuditRecord& r) {
    found = r.seq == record.seq && r.hash == record.hash;
    return false;
  });
  return scanned && found;
}

}  // namespace

std::expected<std::unique_ptr<AuditLog>, StoreError> AuditLog::open(Store& store) {
  auto last = store.last_audit_record();
  if (!last) return std::unexpected(std::move(last.error()));
  std::int64_t seq = 0;
  std::string hash = genesis_hash();
  if (*last) {
    seq = (*last)->seq;
    hash = (*last)->hash;
  }
  return std::unique_ptr<AuditLog>(new AuditLog(store, seq, std::move(hash)));
}

AuditLog::AuditLog(Store& store, std::int64_t head_seq, std::string head_hash)
    : store_(store), head_seq_(head_seq), head_hash_(std::move(head_hash)) {
  writer_ = std::thread([this] { run(); });
}

AuditLog::~AuditLog() {
  stop();
}

void AuditLog::append(std::string kind, nlohmann::json body, OnDurable on_durable) {
  append(std::move(kind), std::move(body), {}, std::move(on_durable));
}

void AuditLog::append(std::string kind, nlohmann::json body, std::vector<StoreWrite> writes, OnDurable on_durable) {
  // Every record passes here: what a request brought that is not UTF-8 (a target's bytes, a query
  // parameter's name) is escaped rather than making the record unencodable, which would leave a
  // refusal unaudited. Done on the caller's thread, off the writer's.
  body = with_valid_utf8(std::move(body));
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(kind), std::move(body), std::move(writes), std::move(on_durable)});
      wake_.notify_one();
      return;
    }
  }
  deliver(on_durable, std::unexpected(StoreError{"stopped", "the audit log is stopped"}));
}

void AuditLog::observe_enqueued(OnEnqueued observer) {
  std::lock_guard lock(observer_mutex_);
  on_enqueued_ = std::move(observer);
}

void AuditLog::stop() {
  std::lock_guard stop_lock(stop_mutex_);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
}

AuditLogStats AuditLog::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void AuditLog::run() {
  std::deque<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      const std::size_t n = std::min(queue_.size(), kMaxBatch);
      batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
      queue_.erase(queue_.begin(), queue_.begin() + n);
    }
    commit(batch);
    batch.clear();
  }
}

void AuditLog::commit(std::deque<Pending>& batch) {
  // One timestamp per batch: the records were durable at the same instant.
  const std::string recorded_at = now_utc();
  std::vector<CommitEntry> entries;
  std::vector<const Pending*> owners;
  std::vector<std::pair<const Pending*, StoreError>> refused;
  entries.reserve(batch.size());
  owners.reserve(batch.size());

  // Chained here after the head this writer last saw, off the store's lock, which also finds the
  // bodies with no canonical form. The seal below re-links a record only when the store's tip
  // says another writer of the database appended in between.
  std::int64_t seq = head_seq_;
  std::string prev = head_hash_;
  for (Pending& p : batch) {
    AuditRecord r{seq + 1, recorded_at, std::move(p.kind), std::move(p.body), prev, {}};
    auto body = canonical_json(r.body);
    std::expected<std::string, CanonicalJsonError> hash =
        body ? record_hash(r, *body) : std::unexpected(std::move(body.error()));
    if (!hash) {
      refused.emplace_back(
          &p, StoreError{"non_canonical_body",
                         hash.error().message +
                             (hash.error().pointer.empty() ? std::string() : " (at " + hash.error().pointer + ")")});
      continue;
    }
    r.hash = std::move(*hash);
    prev = r.hash;
    ++seq;
    entries.push_back(CommitEntry{std::move(r), std::move(p.writes), std::nullopt, std::move(*body)});
    owners.push_back(&p);
  }

  std::expected<void, StoreError> stored;
  const CommitEntry* last_stored = nullptr;
  if (!entries.empty()) {
    try {
      stored = store_.commit_sealed(entries, [](AuditRecord& r, const std::optional<AuditChainTip>& tip) {
        const std::int64_t tip_seq = tip ? tip->seq : 0;
        std::string tip_hash = tip ? tip->hash : genesis_hash();
        if (r.seq == tip_seq + 1 && r.prev_hash == tip_hash) return;
        r.seq = tip_seq + 1;
        r.prev_hash = std::move(tip_hash);
        // The body hashed once already, so it hashes again.
        r.hash = record_hash(r).value_or(std::string());
      });
    } catch (const std::exception& e) {
      stored = std::unexpected(StoreError{"store_exception", e.what()});
    }
    for (const CommitEntry& e : entries) {
      if (!e.refused) last_stored = &e;
    }
    if (!stored && last_stored != nullptr) {
      // A commit can report an error after its data reached the disk (an I/O error reported
      // late, a database connection lost while COMMIT was answered). The store is all-or-none,
      // so if the batch's last record is there with its hash, all of it is: callers must hear
      // success, or they would retry what is durable. Looked up by its seq, not as the tip:
      // other instances may have appended after it already.
      if (stored_record(store_, last_stored->record)) stored = {};
    }
    std::lock_guard lock(mutex_);
    if (stored) {
      for (const CommitEntry& e : entries) stats_.records += e.refused ? 0 : 1;
      ++stats_.commits;
    } else {
      ++stats_.failed_commits;
    }
  }

  if (stored) {
    if (last_stored != nullptr) {
      head_seq_ = last_stored->record.seq;
      head_hash_ = last_stored->record.hash;
    }
    std::vector<OutboxMessage> enqueued;
    // Moved out, not copied: the writes are done with once stored, and a payload is a tree.
    for (CommitEntry& e : entries) {
      if (e.refused) continue;
      for (StoreWrite& w : e.writes) {
        if (auto* m = std::get_if<store_write::EnqueueMessage>(&w)) enqueued.push_back(std::move(m->message));
      }
    }
    if (!enqueued.empty()) {
      std::lock_guard lock(observer_mutex_);
      if (on_enqueued_) {
        try {
          on_enqueued_(enqueued);
        } catch (...) {
          // As for on_durable: the writer thread must go on; the store holds the messages.
        }
      }
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const CommitEntry& e = entries[i];
      if (e.refused) {
        deliver(owners[i]->on_durable, std::unexpected(*e.refused));
      } else {
        deliver(owners[i]->on_durable, AuditReceipt{e.record.seq, e.record.hash, e.record.recorded_at});
      }
    }
  } else {
    // The batch is not in the store (all-or-none): the chain continues from the head the store
    // really has.
    if (auto last = store_.last_audit_record(); last && *last && (*last)->seq >= head_seq_) {
      head_seq_ = (*last)->seq;
      head_hash_ = (*last)->hash;
    }
    for (const Pending* p : owners) deliver(p->on_durable, std::unexpected(stored.error()));
  }
  for (auto& [p, error] : refused) deliver(p->on_durable, std::unexpected(std::move(error)));
}

}  // namespace knutpunkt
