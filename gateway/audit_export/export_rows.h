#pragma once
#include <array>
#include <expected>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/canonical_json.h"
#include "store/store.h"

namespace knutpunkt::audit_export {

enum class ExportFormat { jsonl, csv };
std::string_view to_string(ExportFormat format);
std::optional<ExportFormat> parse_export_format(std::string_view text);

// One export line or CSV row per record, rendered the one way both the exporter and the
// verifier use: the verifier re-renders what it parsed and compares bytes, so any edit that
// keeps the meaning but changes the bytes is still caught (and named) record by record.

// {"seq":N,"recorded_at":"...","kind":"...","body":{...},"prev_hash":"...","hash":"..."}
// without the newline. The body is canonical JSON (audit/canonical_json.h), so record_hash
// recomputes from it byte for byte.
std::expected<std::string, CanonicalJsonError> jsonl_line(const AuditRecord& record);

// The columns an auditor filters on in a spreadsheet, read from the body. The verifier trusts
// only the body; these are checked to equal what the body says.
struct ConvenienceColumns {
  std::string client;     // body.client, else body.client_id
  std::string case_id;    // body.case_id
  std::string person_id;  // body.person.id, else body.person_id
  std::string purpose;    // body.purpose
  std::string outcome;    // body.outcome
};
// Only string values are taken (anything else leaves the cell empty). A value that a
// spreadsheet would run as a formula (starts with = + - @ tab or CR) is prefixed with an
// apostrophe (OWASP, CSV injection): client-supplied case ids reach these cells.
ConvenienceColumns convenience_columns(const nlohmann::json& body);

// RFC 4180 with every field quoted and CRLF line ends (both included here).
constexpr std::array<std::string_view, 11> kCsvHeader = {
    "seq", "recorded_at", "kind", "prev_hash", "hash", "body", "client", "case_id", "person_id", "purpose", "outcome"};
std::string csv_header_row();
std::expected<std::string, CanonicalJsonError> csv_row(const AuditRecord& record);
std::string csv_row(const std::vector<std::string>& fields);

// Splits one CSV row (without its CRLF) into fields; nullopt when the quoting is broken.
std::optional<std::vector<std::string>> split_csv_row(std::string_view row);

}  // namespace knutpunkt::audit_export
