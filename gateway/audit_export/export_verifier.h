#pragma once
#include <cstdint>
#include <expected>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "audit_export/export_error.h"
#include "audit_export/export_manifest.h"
#include "audit_export/signing_key.h"

namespace knutpunkt::audit_export {

// The first thing found wrong with an export. Codes, each naming one kind of damage:
//   manifest_malformed  the manifest is not JSON, or a field is missing or malformed
//   wrong_key           the manifest names a key id other than the given public key's
//   signature_invalid   the signature does not cover the manifest as it is (it was edited)
//   line_unparseable    a line (CSV row) is not a record: not JSON/CSV, fields missing or mistyped
//   not_canonical       a record parses but its bytes are not the exporter's (re-encoded, reformatted)
//   csv_header_mismatch the CSV header row is not the export's
//   truncated           the file ends mid-line, or before the manifest's last seq
//   missing_records     a gap in seq (lines removed)
//   out_of_order        a seq earlier than one already seen, or lines swapped
//   broken_link         prev_hash is not the hash of the record before (or the manifest's first)
//   content_changed     a record's content no longer matches its hash
//   hash_changed        a record's hash field was rewritten (the next record links to the true hash)
//   last_hash_mismatch  the last record's hash is not the one the manifest signed
//   extra_records       records after the manifest's last seq
//   convenience_column_mismatch  a CSV convenience column differs from the body
//   file_hash_mismatch  every record is sound but the file's bytes differ from the signed hash
struct ExportProblem {
  std::string code;
  std::int64_t line = 0;  // 1-based line of the export file where the record starts; 0 = the manifest / the file
  std::int64_t seq = 0;   // the record's seq, 0 when not known
  std::string detail;     // English; names lines, seqs, fields and columns, never record content
};

struct ExportVerifyReport {
  std::optional<ExportManifest> manifest;  // set once the manifest's signature and fields checked out
  std::string given_key_id;
  bool signature_valid = false;
  bool file_hash_matches = false;
  bool file_name_matches = false;    // informational: an export may be renamed after it was made
  std::int64_t records_checked = 0;  // sound records before the first problem
  std::optional<ExportProblem> first_problem;
  bool intact() const { return !first_problem.has_value(); }
};

// Checks an export against its manifest with nothing but the two files and the public key (no
// database, no gateway): the signature, every record's hash and link, contiguity from the first
// to the last seq, the CSV convenience columns, and the file's SHA-256. Reads the export once,
// a line at a time. Fails (as a value) only when a file cannot be read: code "io_error".
std::expected<ExportVerifyReport, ExportError> verify_export(const std::filesystem::path& export_file,
                                                             const std::filesystem::path& manifest_file,
                                                             const VerifyingKey& public_key);

// The same check on the two files' contents: the export as a stream, the manifest's text, and the
// name the export goes by (compared with the manifest's, for information only). Lets the check
// run where there are no files, such as the fuzz target. "io_error" when the stream fails.
std::expected<ExportVerifyReport, ExportError> verify_export(std::istream& export_stream, std::string_view manifest_text,
                                                             const std::string& export_name,
                                                             const VerifyingKey& public_key);

}  // namespace knutpunkt::audit_export
