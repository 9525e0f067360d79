#pragma once
// Gallring of the audit log: records recorded before a cut-off are removed, a signed
// checkpoint carries the chain across them, and the removal is audited ("audit.retention_applied")
// in the same transaction. The newest record is never removed, so the chain always has a head.
//
// The configured retention period is a floor no run may cross: nothing younger than
// `audit.retention_days` is ever removed, and with 0 ("kept for ever") nothing at all. The log
// is the evidence of who read whose data (OSL 26 kap. 1 §, loggkontroll); a cut-off is a
// decision of the data controller, not of whoever holds an admin session.
#include <chrono>
#include <expected>
#include <functional>
#include <optional>
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
  // "kept_for_ever" (retention_days is 0), "after_retention_floor" (the cut-off is younger than
  // retention_days), "store_unavailable", "chain_broken", "crypto_error", "audit_unavailable";
  // the four-eyes flow adds its own (retention_approval.h).
  std::string code;
  std::string message;
};

// Who a run answers to, written into its "audit.retention_applied" record so the verifier can
// say by whose request and approval a range was weeded.
struct RetentionMandate {
  std::string by;                // "retention_schedule", or the admin who approved the run
  std::int64_t request_seq = 0;  // the "audit.retention_requested" record; 0 for the schedule
  std::string requested_by;
  std::int64_t approval_seq = 0;  // the "audit.retention_approved" record
};

// The latest cut-off a run may use at `now`: now − retention_days, or nullopt when
// retention_days is 0 or less (the log is kept for ever).
std::optional<std::string> retention_floor(int retention_days, std::chrono::system_clock::time_point now);

// Whether `cutoff` (RFC 3339 UTC) respects the floor at `now`; the error names why not.
std::expected<void, RetentionError> check_cutoff(const std::string& cutoff, int retention_days,
                                                 std::chrono::system_clock::time_point now);

// Removes what was recorded before `cutoff` (RFC 3339 UTC) and calls `done` once durable. The
// cut-off is checked against the floor first (check_cutoff), and the part to remove is verified:
// the key never signs a checkpoint over a broken chain.
void apply_retention(Store& store, AuditLog& audit, const audit_export::SigningKey& key, const std::string& cutoff,
                     int retention_days, std::chrono::system_clock::time_point now, const RetentionMandate& mandate,
                     std::function<void(std::expected<RetentionOutcome, RetentionError>)> done);

// Whether the chain's checkpoint (if any) carries a valid signature by `key`.
bool checkpoint_signature_valid(const AuditCheckpoint& checkpoint, const audit_export::VerifyingKey& key);

}  // namespace knutpunkt::audit_review
