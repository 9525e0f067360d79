#include "audit/audit_checkpoint.h"

#include <nlohmann/json.hpp>

namespace knutpunkt {

std::expected<std::string, CanonicalJsonError> checkpoint_signed_bytes(const AuditCheckpoint& c) {
  return canonical_json({{"through_seq", c.through_seq},
                         {"through_hash", c.through_hash},
                         {"removed_records", c.removed_records},
                         {"removed_before", c.removed_before},
                         {"created_at", c.created_at},
                         {"key_id", c.key_id}});
}

}  // namespace knutpunkt
