#include "audit/audit_chain.h"

#include "core/digest.h"

namespace knutpunkt {

std::string genesis_hash() {
  return std::string(64, '0');
}

std::expected<std::string, CanonicalJsonError> record_hash(const AuditRecord& record) {
  auto body = canonical_json(record.body);
  if (!body) return std::unexpected(std::move(body.error()));
  return record_hash(record, *body);
}

std::expected<std::string, CanonicalJsonError> record_hash(const AuditRecord& record, std::string_view canonical_body) {
  auto kind = canonical_json(record.kind);
  if (!kind) return std::unexpected(std::move(kind.error()));
  auto recorded_at = canonical_json(record.recorded_at);
  if (!recorded_at) return std::unexpected(std::move(recorded_at.error()));

  // The canonical encoding of {"body","kind","recorded_at","seq"} (keys already in sorted
  // order), assembled directly so the body is not copied into a temporary object.
  std::string text;
  text.reserve(record.prev_hash.size() + canonical_body.size() + kind->size() + recorded_at->size() + 64);
  text.append(record.prev_hash).append("\n");
  text.append(R"({"body":)").append(canonical_body);
  text.append(R"(,"kind":)").append(*kind);
  text.append(R"(,"recorded_at":)").append(*recorded_at);
  text.append(R"(,"seq":)").append(std::to_string(record.seq)).append("}");
  return sha256_hex(text);
}

}  // namespace knutpunkt
