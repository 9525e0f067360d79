#pragma once
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>

#include "audit_export/export_error.h"
#include "audit_export/export_manifest.h"
#include "audit_export/export_rows.h"
#include "audit_export/signing_key.h"
#include "store/store.h"

namespace knutpunkt::audit_export {

// An export is always one contiguous seq range, so that the chain can be checked across it;
// picking records by content is search's job, not export's.
struct ExportRequest {
  ExportFormat format = ExportFormat::jsonl;
  std::filesystem::path out;  // the manifest goes next to it: manifest_path_for(out)
  // Either a seq range (each end defaults to the log's start / head) ...
  std::optional<std::int64_t> from_seq;
  std::optional<std::int64_t> to_seq;
  // ... or a time range over recorded_at, [since, until), RFC 3339 UTC (core/clock.h
  // parse_utc), resolved to the smallest seq range holding every record inside it.
  std::optional<std::string> since;
  std::optional<std::string> until;
  std::string exported_by;       // operator or auditor id, recorded in the manifest
  std::string gateway_instance;  // which gateway's log this is
};

std::filesystem::path manifest_path_for(const std::filesystem::path& export_file);

// Streams the range from the store into `request.out` and writes the signed manifest next to
// it. Both files are written under temporary names, fsynced and renamed into place, so a crash
// leaves no export without its manifest. The export file holds personal data: mode 0600.
// The range is checked while it is written (seqs contiguous, every hash recomputes, every
// prev_hash links, the first one to the record before the range): the gateway's key never
// signs a range whose own chain is broken.
// Codes: "invalid_request", "empty_range", "range_beyond_head", "output_exists", "io_error",
// "store_error", "chain_broken", "crypto_error".
std::expected<ExportManifest, ExportError> export_audit(Store& store, const ExportRequest& request,
                                                        const SigningKey& key);

}  // namespace knutpunkt::audit_export
