#pragma once
// Retention (gallring) of the audit log: records older than the configured age are removed, and a
// checkpoint carries the chain across the removed part. The first remaining record's prev_hash is
// the checkpoint's through_hash, so what remains still verifies; the checkpoint is signed with
// the gateway's key (its signed bytes: audit/audit_checkpoint.h), and the removal is itself an
// audit record ("audit.retention_applied") in the chain that continues.
#include <cstdint>
#include <string>

namespace knutpunkt {

struct AuditCheckpoint {
  std::int64_t through_seq = 0;      // the last removed record
  std::string through_hash;          // its hash: the next record's prev_hash
  std::int64_t removed_records = 0;  // removed by this checkpoint's retention run
  std::string removed_before;        // the cut-off: records recorded before it were removed
  std::string created_at;
  std::string key_id;     // the signing key
  std::string signature;  // Ed25519, hex, over the checkpoint's signed bytes
};

namespace store_write {
// Removes every audit record with seq <= checkpoint.through_seq (and their index rows) and keeps
// the checkpoint, in the same transaction as the audit record that says so.
struct RemoveAuditThrough {
  AuditCheckpoint checkpoint;
};
}  // namespace store_write

}  // namespace knutpunkt
