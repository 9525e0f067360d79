#pragma once
#include <expected>
#include <string>
#include <string_view>

#include "audit/canonical_json.h"
#include "store/store.h"

namespace knutpunkt {

// prev_hash of the first record: 64 zeros.
std::string genesis_hash();

// sha256_hex(prev_hash + "\n" + canonical_json({"body", "kind", "recorded_at", "seq"})).
// Covering prev_hash chains each record to all before it; covering seq makes renumbering
// visible. Fails only when the record has no canonical form (a float, invalid UTF-8, or a body
// that was not JSON when read back).
std::expected<std::string, CanonicalJsonError> record_hash(const AuditRecord& record);

// The same hash with the body's canonical text given (canonical_json(record.body)), for a writer
// that stores that text and must not encode the body twice.
std::expected<std::string, CanonicalJsonError> record_hash(const AuditRecord& record, std::string_view canonical_body);

}  // namespace knutpunkt
