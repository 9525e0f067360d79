#pragma once
// The one way anything is written: audit records and the state they vouch for, in one transaction.
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/audit_store.h"
#include "store/store_error.h"
#include "store/store_writes.h"

namespace knutpunkt {

// Where the chain ends: the newest record's seq and hash.
struct AuditChainTip {
  std::int64_t seq = 0;
  std::string hash;
};

// Gives `record` its seq, prev_hash and hash so that it follows `tip` (nullopt: the log holds no
// record yet).
using AuditSeal = std::function<void(AuditRecord& record, const std::optional<AuditChainTip>& tip)>;

// One audit record and the writes it vouches for: stored together or not at all.
struct CommitEntry {
  AuditRecord record;
  std::vector<StoreWrite> writes;
  // Set by commit_sealed when this entry alone was left out: code "conflict" when one of its writes
  // would store a key that is stored already (an idempotency key, a partner's message id, a
  // reminder, a plan version, an attempt number), by this or another instance.
  std::optional<StoreError> refused;
  // The body as stored: its canonical text (audit/canonical_json.h), which the record's hash
  // covers, so the store writes the very bytes that were hashed. Left empty, the store encodes
  // the body itself, to the same bytes.
  std::string canonical_body;
};

class Committer {
 public:
  virtual ~Committer() = default;

  // Atomic: all records and writes of the batch are stored or none are. Durable when it returns
  // success (survives a crash of the process or of the machine). Writes are applied in order,
  // after the records. The records are stored with the chain fields they carry.
  virtual std::expected<void, StoreError> commit(const std::vector<AuditRecord>& records,
                                                 const std::vector<StoreWrite>& writes) = 0;

  // Several writers (threads, processes, gateway instances) on one database: in one transaction
  // the store takes a lock every writer of the database takes, reads the chain's tip, and then per
  // entry, in order: refuses the entry if a write of it conflicts with what is stored (see
  // CommitEntry::refused; it takes no place in the chain), else seals its record after the tip
  // with `seal`, stores the record and applies its writes. Under that lock no other commit runs,
  // so the conflict check cannot race. The entries hold their sealed fields afterwards, whatever
  // the outcome. An error returned fails the whole batch: nothing of it is stored.
  virtual std::expected<void, StoreError> commit_sealed(std::vector<CommitEntry>& entries, const AuditSeal& seal) = 0;

  std::expected<void, StoreError> append_audit(const std::vector<AuditRecord>& batch) { return commit(batch, {}); }
};

}  // namespace knutpunkt
