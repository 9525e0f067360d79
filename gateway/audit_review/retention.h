#pragma once
// Gallring of the audit log: records recorded before a cut-off are removed, a signed
// checkpoint carries the chain across them, and the removal is audited ("audit.retention_applied")
// in the same transaction. The newest record is never removed, so the chain always has a head.
#include <expected>
#include <functional>
#include <string>

#include "audit/audit_log.h"
#include "audit/audit_verifier.h"
#include "audit_export/signing_key.h"
#include "store/store.h"

namespace knutpunkt::audit_review {

struct RetentionOutcome {
  std::int64_t removed_records = 0;  // 0: nothing was old enough
  AuditCheckpoint checkpoint;        // when something was removed
  AuditReceipt audit;
};

struct RetentionError {
  std::string code;  // "store_unavailable", "chain_broken", "crypto_error", "audit_unavailable"
  std::string message;
};

// Removes what was recorded before `cutoff` (RFC 3339 UTC) and calls `done` once durable. The
// part to remove is verified first: the key never signs a checkpoint over a broken chain.
void apply_retention(Store& store, AuditLog& audit, const audit_export::SigningKey& key, const std::string& cutoff,
                     const std::string& who, std::function<void(std::expected<RetentionOutcome, RetentionError>)> done);

// Whether the chain's checkpoint (if any) carries a valid signature by `key`.
bool checkpoint_signature_valid(const AuditCheckpoint& checkpoint, const audit_export::VerifyingKey& key);

}  // namespace knutpunkt::audit_review
