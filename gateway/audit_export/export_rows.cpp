#include "audit_export/export_rows.h"

namespace knutpunkt::audit_export {

std::string_view to_string(ExportFormat format) {
  return format == ExportFormat::jsonl ? "jsonl" : "csv";
}

std::optional<ExportFormat> parse_export_format(std::string_view text) {
  if (text == "jsonl") return ExportFormat::jsonl;
  if (text == "csv") return ExportFormat::csv;
  return std::nullopt;
}

std::expected<std::string, CanonicalJsonError> jsonl_line(const AuditRecord& record) {
  auto body = canonical_json(record.body);
  if (!body) return std::unexpected(std::move(body.error()));
  // Strings go through canonical_json too, so escaping is exactly the hash's escaping.
  auto recorded_at = canonical_json(record.recorded_at);
  auto kind = canonical_json(record.kind);
  auto prev_hash = canonical_json(record.prev_hash);
  auto hash = canonical_json(record.hash);
  for (auto* part : {&recorded_at, &kind, &prev_hash, &hash}) {
    if (!*part) return std::unexpected(std::move(part->error()));
  }
  std::string line;
  line.reserve(body->size() + 256);
  line.append(R"({"seq":)").append(std::to_string(record.seq));
  line.append(R"(,"recorded_at":)").append(*recorded_at);
  line.append(R"(,"kind":)").append(*kind);
  line.append(R"(,"body":)").append(*body);
  line.append(R"(,"prev_hash":)").append(*prev_hash);
  line.append(R"(,"hash":)").append(*hash);
  line.append("}");
  return line;
}

namespace {

std::string string_at(const nlohmann::json& body, const char* key) {
  if (!body.is_object()) return {};
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string spreadsheet_safe(std::string value) {
  if (!value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos) {
    value.insert(value.begin(), '\'');
  }
  return value;
}

void append_quoted(std::string& out, std::string_view field) {
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

ConvenienceColumns convenience_columns(const nlohmann::json& body) {
  ConvenienceColumns c;
  c.client = string_at(body, "client");
  if (c.client.empty()) c.client = string_at(body, "client_id");
  c.case_id = string_at(body, "case_id");
  if (body.is_object()) {
    if (auto person = body.find("person"); person != body.end()) c.person_id = string_at(*person, "id");
  }
  if (c.person_id.empty()) c.person_id = string_at(body, "person_id");
  c.purpose = string_at(body, "purpose");
  c.outcome = string_at(body, "outcome");
  for (auto* cell : {&c.client, &c.case_id, &c.person_id, &c.purpose, &c.outcome}) {
    *cell = spreadsheet_safe(std::move(*cell));
  }
  return c;
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_quoted(out, fields[i]);
  }
  out.append("\r\n");
  return out;
}

std::string csv_header_row() {
  return csv_row(std::vector<std::string>(kCsvHeader.begin(), kCsvHeader.end()));
}

std::expected<std::string, CanonicalJsonError> csv_row(const AuditRecord& record) {
  auto body = canonical_json(record.body);
  if (!body) return std::unexpected(std::move(body.error()));
  const ConvenienceColumns c = convenience_columns(record.body);
  return csv_row(std::vector<std::string>{std::to_string(record.seq), record.recorded_at, record.kind, record.prev_hash,
                                          record.hash, std::move(*body), c.client, c.case_id, c.person_id, c.purpose,
                                          c.outcome});
}

std::optional<std::vector<std::string>> split_csv_row(std::string_view row) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  for (;;) {
    std::string field;
    if (i < row.size() && row[i] == '"') {
      ++i;
      for (;;) {
        if (i >= row.size()) return std::nullopt;  // unterminated quote
        if (row[i] == '"') {
          if (i + 1 < row.size() && row[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(row[i++]);
      }
      if (i < row.size() && row[i] != ',') return std::nullopt;  // text after a closing quote
    } else {
      while (i < row.size() && row[i] != ',') {
        if (row[i] == '"') return std::nullopt;  // a quote inside an unquoted field
        field.push_back(row[i++]);
      }
    }
    fields.push_back(std::move(field));
    if (i >= row.size()) return fields;
    ++i;  // the comma
  }
}

}  // namespace knutpunkt::audit_export
