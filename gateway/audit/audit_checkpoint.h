#pragma once
// What a retention checkpoint's signature covers: canonical JSON of every field but the
// signature, so a checkpoint moved, edited or forged in the database no longer verifies.
#include <expected>
#include <string>

#include "audit/canonical_json.h"
#include "store/audit_checkpoint.h"

namespace knutpunkt {

std::expected<std::string, CanonicalJsonError> checkpoint_signed_bytes(const AuditCheckpoint& checkpoint);

}  // namespace knutpunkt
