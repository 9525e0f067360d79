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

// Gives each record its seq, prev_hash and hash so that the batch follows `tip` (nullopt: the log
// holds no record yet).
using AuditSeal = std::function<void(std::vector<AuditRecord>& records, const std::optional<AuditChainTip>& tip)>;

class Committer {
 public:
  virtual ~Committer() = default;

  // Atomic: all records and writes of the batch are stored or none are. Durable when it returns
  // success (survives a crash of the process or of the machine). Writes are applied in order,
  // after the records. The records are stored with the chain fields they carry.
  virtual std::expected<void, StoreError> commit(const std::vector<AuditRecord>& records,
                                                 const std::vector<StoreWrite>& writes) = 0;

  // The same, but the chain fields are assigned inside the transaction: the store reads the tip
  // under a lock that every writer of the same database takes (every process, every instance),
  // calls `seal`, then stores. This is how several gateway instances append to one chain without
  // forking it. `records` holds the sealed fields afterwards, whatever the outcome.
  virtual std::expected<void, StoreError> commit_sealed(std::vector<AuditRecord>& records,
                                                        const std::vector<StoreWrite>& writes,
                                                        const AuditSeal& seal) = 0;

  std::expected<void, StoreError> append_audit(const std::vector<AuditRecord>& batch) { return commit(batch, {}); }
};

}  // namespace knutpunkt
