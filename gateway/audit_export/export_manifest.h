#pragma once
#include <cstdint>
#include <expected>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "audit_export/export_error.h"
#include "audit_export/export_rows.h"

namespace knutpunkt::audit_export {

// What the export was asked for: a seq range, or a time range resolved to the seq range it covers.
struct ExportSelection {
  std::string by;  // "seq" | "time"
  std::int64_t from_seq = 0;
  std::int64_t to_seq = 0;
  std::string since;  // "time" only, RFC 3339 UTC with milliseconds, inclusive; "" = from the start
  std::string until;  // "time" only, exclusive; "" = up to the log's head
};

// The signed statement that travels with an export (FILE.manifest.json). The signature binds
// the file's SHA-256 to the chain's range (first prev_hash .. last hash) and to the log's head
// at export time, so a verifier holding only the files and the public key learns whether the
// export is complete and unaltered for its range.
struct ExportManifest {
  int manifest_version = 1;
  ExportFormat format = ExportFormat::jsonl;
  std::string file_name;  // base name only: the export may be moved to another machine
  std::string file_sha256;
  std::int64_t file_bytes = 0;
  std::int64_t record_count = 0;
  std::int64_t first_seq = 0;
  std::string first_prev_hash;
  std::int64_t last_seq = 0;
  std::string last_hash;
  std::int64_t log_head_seq = 0;
  std::string log_head_hash;
  std::string earliest_recorded_at;  // over the exported records (the clock may step back)
  std::string latest_recorded_at;
  ExportSelection selection;
  std::string exported_at;
  std::string exported_by;
  std::string gateway_instance;
  std::string key_id;
  std::string signature_algorithm = "Ed25519";
  std::string signature;  // hex; over signed_bytes()
};

// Everything but the signature, as a JSON object.
nlohmann::json unsigned_json(const ExportManifest& manifest);
// The bytes the signature covers: canonical JSON (audit/canonical_json.h) of unsigned_json.
std::expected<std::string, ExportError> signed_bytes(const ExportManifest& manifest);
// The manifest file's text (readable, two-space indent; the signature does not cover layout).
std::string manifest_text(const ExportManifest& manifest);

// Reading a manifest is two steps, so that the signature is checked before anything in the
// manifest is believed: an edited field then reads as "signature_invalid" rather than as
// whatever inconsistency the edit happens to create.
// 1. The JSON object, the bytes the signature covers (the object as read minus "signature", so a
//    field this version does not know still counts) and the key id and signature it claims.
struct SignedManifest {
  nlohmann::json root;
  std::string signed_text;
  std::string key_id;
  std::string signature;
};
std::expected<SignedManifest, ExportError> read_signed_manifest(std::string_view text);
// 2. Every field's presence, type and form and the range's consistency (count = last - first + 1).
// Code "manifest_malformed"; `field` is the JSON pointer of the offending field.
std::expected<ExportManifest, ExportError> manifest_fields(const nlohmann::json& root);

}  // namespace knutpunkt::audit_export
