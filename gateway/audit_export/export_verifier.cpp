#include "audit_export/export_verifier.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <variant>

#include "audit/audit_chain.h"
#include "audit_export/sha256_stream.h"

namespace knutpunkt::audit_export {

namespace {

// Lines of the export file, with every byte read fed to the file hash.
class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in) {}

  struct Line {
    std::string text;    // without the '\n'
    bool ended = false;  // false: the file stopped inside this line
  };

  std::optional<Line> next() {
    Line line;
    if (!std::getline(in_, line.text)) {
      if (line.text.empty()) return std::nullopt;
    }
    line.ended = !in_.eof();
    hash_.update(line.text);
    if (line.ended) hash_.update("\n");
    ++number_;
    return line;
  }

  std::int64_t number() const { return number_; }
  bool failed() const { return in_.bad(); }

  std::string drain_and_hash() {
    while (next()) {
    }
    return hash_.finish_hex();
  }

 private:
  std::istream& in_;
  Sha256Stream hash_;
  std::int64_t number_ = 0;
};

struct Parsed {
  AuditRecord record;
  std::int64_t line = 0;
  std::vector<std::string> csv_cells;  // CSV only: the whole row
};

// An item of the file: a record, or the reason a line is not one.
using Item = std::variant<Parsed, ExportProblem>;

ExportProblem problem(std::string code, std::int64_t line, std::int64_t seq, std::string detail) {
  return {std::move(code), line, seq, std::move(detail)};
}

std::string line_ref(std::int64_t line) {
  return "line " + std::to_string(line);
}

Item parse_jsonl(const LineReader::Line& l, std::int64_t number) {
  if (!l.ended) return problem("truncated", number, 0, "the file ends in the middle of " + line_ref(number));
  const nlohmann::json j = nlohmann::json::parse(l.text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return problem("line_unparseable", number, 0, line_ref(number) + " is not a JSON object");
  }
  Parsed p;
  p.line = number;
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_integer()) {
    return problem("line_unparseable", number, 0, line_ref(number) + " has no integer seq");
  }
  p.record.seq = seq->get<std::int64_t>();
  for (auto [field, target] : {std::pair{"recorded_at", &p.record.recorded_at}, std::pair{"kind", &p.record.kind},
                               std::pair{"prev_hash", &p.record.prev_hash}, std::pair{"hash", &p.record.hash}}) {
    auto it = j.find(field);
    if (it == j.end() || !it->is_string()) {
      return problem("line_unparseable", number, p.record.seq,
                     line_ref(number) + ": field " + field + " is missing or not a string");
    }
    *target = it->get<std::string>();
  }
  auto body = j.find("body");
  if (body == j.end()) return problem("line_unparseable", number, p.record.seq, line_ref(number) + " has no body");
  p.record.body = *body;
  auto rendered = jsonl_line(p.record);
  if (!rendered || *rendered != l.text || j.size() != 6) {
    return problem("not_canonical", number, p.record.seq,
                   line_ref(number) + " is not in the exporter's canonical form (re-encoded or edited)");
  }
  return p;
}

// A CSV row may span lines (a quoted cell holding a newline); `first` is the row's first line.
Item parse_csv(LineReader& reader, LineReader::Line first, std::int64_t number) {
  std::string raw = std::move(first.text);
  bool ended = first.ended;
  // An odd count of quotes means a quoted cell is still open ("" inside a cell counts two).
  auto open_quote = [](const std::string& s) { return std::count(s.begin(), s.end(), '"') % 2 == 1; };
  while (ended && open_quote(raw)) {
    auto more = reader.next();
    if (!more) break;
    raw.append("\n").append(more->text);
    ended = more->ended;
  }
  if (!ended || open_quote(raw))
    return problem("truncated", number, 0, "the file ends in the middle of the row at " + line_ref(number));
  if (raw.empty() || raw.back() != '\r') {
    return problem("not_canonical", number, 0, "the row at " + line_ref(number) + " does not end in CRLF");
  }
  raw.pop_back();
  auto cells = split_csv_row(raw);
  if (!cells || cells->size() != kCsvHeader.size()) {
    return problem("line_unparseable", number, 0,
                   "the row at " + line_ref(number) + " is not " + std::to_string(kCsvHeader.size()) + " CSV cells");
  }
  Parsed p;
  p.line = number;
  const std::string& seq = (*cells)[0];
  auto [end, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), p.record.seq);
  if (ec != std::errc{} || end != seq.data() + seq.size()) {
    return problem("line_unparseable", number, 0, "the row at " + line_ref(number) + " has no integer seq");
  }
  p.record.recorded_at = (*cells)[1];
  p.record.kind = (*cells)[2];
  p.record.prev_hash = (*cells)[3];
  p.record.hash = (*cells)[4];
  p.record.body = nlohmann::json::parse((*cells)[5], nullptr, /*allow_exceptions=*/false);
  if (p.record.body.is_discarded()) {
    return problem("line_unparseable", number, p.record.seq,
                   "the body cell of the row at " + line_ref(number) + " is not JSON");
  }
  auto body = canonical_json(p.record.body);
  if (!body || *body != (*cells)[5] || csv_row(*cells) != raw + "\r\n") {
    return problem(
        "not_canonical", number, p.record.seq,
        "the row at " + line_ref(number) + " is not in the exporter's canonical form (re-encoded or edited)");
  }
  p.csv_cells = std::move(*cells);
  return p;
}

// Checks records in file order against the manifest and the record before, with one record of
// look-ahead (a swap and a rewritten hash are told apart from removal and edited content by
// what the next record says).
class ExportWalk {
 public:
  explicit ExportWalk(const ExportManifest& m) : m_(m) {}

  void check(const Parsed& p, const Parsed* next) {
    const AuditRecord& r = p.record;
    const std::int64_t expected_seq = last_seq_ == 0 ? m_.first_seq : last_seq_ + 1;
    const std::string& expected_prev = last_seq_ == 0 ? m_.first_prev_hash : last_hash_;
    if (expected_seq > m_.last_seq) {
      return found("extra_records", p,
                   "seq " + std::to_string(r.seq) + " follows the manifest's last seq " + std::to_string(m_.last_seq));
    }
    if (r.seq < expected_seq) {
      return found("out_of_order", p,
                   "seq " + std::to_string(r.seq) + " where seq " + std::to_string(expected_seq) +
                       " was expected (a record repeated or moved)");
    }
    if (r.seq > expected_seq) {
      if (next != nullptr && next->record.seq < r.seq) {
        return found("out_of_order", p,
                     "seq " + std::to_string(r.seq) + " comes before seq " + std::to_string(next->record.seq) +
                         " (records swapped or moved)");
      }
      return found("missing_records", p,
                   "seq " + std::to_string(expected_seq) +
                       (r.seq - 1 > expected_seq ? " to " + std::to_string(r.seq - 1) : std::string{}) +
                       " missing before seq " + std::to_string(r.seq));
    }
    if (r.prev_hash != expected_prev) {
      return found("broken_link", p,
                   last_seq_ == 0 ? "prev_hash is not the first prev_hash the manifest signed"
                                  : "prev_hash is not the hash of seq " + std::to_string(last_seq_));
    }
    auto recomputed = record_hash(r);
    if (!recomputed)
      return found("content_changed", p, "the record has no canonical form (" + recomputed.error().code + ")");
    if (*recomputed != r.hash) {
      const bool successor_links_true_hash =
          next != nullptr ? next->record.prev_hash == *recomputed : r.seq == m_.last_seq && m_.last_hash == *recomputed;
      if (successor_links_true_hash)
        return found("hash_changed", p, "the hash field was rewritten; the content is intact");
      return found("content_changed", p, "the content does not match its hash");
    }
    if (!p.csv_cells.empty()) {
      const ConvenienceColumns c = convenience_columns(r.body);
      const std::array<const std::string*, 5> derived = {&c.client, &c.case_id, &c.person_id, &c.purpose, &c.outcome};
      for (std::size_t i = 0; i < derived.size(); ++i) {
        if (p.csv_cells[6 + i] != *derived[i]) {
          return found("convenience_column_mismatch", p,
                       "column " + std::string(kCsvHeader[6 + i]) + " does not say what the body says");
        }
      }
    }
    if (r.seq == m_.last_seq && r.hash != m_.last_hash) {
      return found("last_hash_mismatch", p, "the last record's hash is not the one the manifest signed");
    }
    ++checked_;
    last_seq_ = r.seq;
    last_hash_ = r.hash;
  }

  void fail(ExportProblem problem) {
    if (!problem_) problem_ = std::move(problem);
  }

  void finish(std::int64_t lines) {
    if (problem_) return;
    if (last_seq_ == 0) return fail(problem("truncated", lines, 0, "the file holds no records"));
    if (last_seq_ < m_.last_seq) {
      fail(problem("truncated", lines, last_seq_,
                   "the file ends after seq " + std::to_string(last_seq_) + "; the manifest's range ends at seq " +
                       std::to_string(m_.last_seq)));
    }
  }

  bool failed() const { return problem_.has_value(); }
  std::int64_t checked() const { return checked_; }
  std::optional<ExportProblem> take_problem() { return std::move(problem_); }

 private:
  void found(std::string code, const Parsed& p, std::string detail) {
    fail(problem(std::move(code), p.line, p.record.seq,
                 line_ref(p.line) + ", seq " + std::to_string(p.record.seq) + ": " + detail));
  }

  const ExportManifest& m_;
  std::int64_t last_seq_ = 0;
  std::string last_hash_;
  std::int64_t checked_ = 0;
  std::optional<ExportProblem> problem_;
};

std::expected<std::string, ExportError> read_small_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::unexpected(ExportError{"io_error", file.string(), "cannot read " + file.string()});
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::unexpected(ExportError{"io_error", file.string(), "cannot read " + file.string()});
  return text.str();
}

}  // namespace

std::expected<ExportVerifyReport, ExportError> verify_export(const std::filesystem::path& export_file,
                                                             const std::filesystem::path& manifest_file,
                                                             const VerifyingKey& public_key) {
  auto text = read_small_file(manifest_file);
  if (!text) return std::unexpected(std::move(text.error()));
  std::ifstream in(export_file, std::ios::binary);
  if (!in) return std::unexpected(ExportError{"io_error", export_file.string(), "cannot read " + export_file.string()});
  return verify_export(in, *text, export_file.string(), public_key);
}

std::expected<ExportVerifyReport, ExportError> verify_export(std::istream& in, std::string_view manifest_text,
                                                             const std::string& export_name,
                                                             const VerifyingKey& public_key) {
  ExportVerifyReport report;
  report.given_key_id = public_key.key_id();
  auto signed_manifest = read_signed_manifest(manifest_text);
  if (!signed_manifest) {
    report.first_problem = problem("manifest_malformed", 0, 0, signed_manifest.error().message);
    return report;
  }
  // The signature first: nothing in the manifest is believed before it checks out.
  if (signed_manifest->key_id != public_key.key_id()) {
    report.first_problem = problem("wrong_key", 0, 0,
                                   "the manifest was signed with key " + signed_manifest->key_id +
                                       "; the given public key is " + public_key.key_id());
    return report;
  }
  if (!public_key.verify(signed_manifest->signed_text, signed_manifest->signature)) {
    report.first_problem =
        problem("signature_invalid", 0, 0, "the signature does not match the manifest (it was edited)");
    return report;
  }
  report.signature_valid = true;
  auto manifest = manifest_fields(signed_manifest->root);
  if (!manifest) {
    report.first_problem = problem("manifest_malformed", 0, 0, manifest.error().message);
    return report;
  }
  report.manifest = *manifest;
  const ExportManifest& m = *report.manifest;
  report.file_name_matches = std::filesystem::path(export_name).filename() == m.file_name;

  LineReader reader(in);
  ExportWalk walk(m);
  std::optional<Parsed> pending;
  auto take = [&](Item item) {
    const Parsed* next = std::get_if<Parsed>(&item);
    if (pending) walk.check(*pending, next);
    pending.reset();
    if (walk.failed()) return;
    if (next == nullptr) return walk.fail(std::get<ExportProblem>(std::move(item)));
    pending = std::move(std::get<Parsed>(item));
  };
  if (m.format == ExportFormat::csv) {
    auto header = reader.next();
    if (!header || !header->ended || header->text + "\n" != csv_header_row()) {
      walk.fail(problem("csv_header_mismatch", 1, 0, "line 1 is not the export's CSV header row"));
    }
  }
  while (!walk.failed()) {
    auto line = reader.next();
    if (!line) break;
    const std::int64_t number = reader.number();
    take(m.format == ExportFormat::jsonl ? parse_jsonl(*line, number) : parse_csv(reader, std::move(*line), number));
  }
  if (!walk.failed() && pending) walk.check(*pending, nullptr);
  walk.finish(reader.number());
  const std::string sha = reader.drain_and_hash();
  if (reader.failed())
    return std::unexpected(ExportError{"io_error", export_name, "cannot read " + export_name});
  report.file_hash_matches = sha == m.file_sha256;
  report.records_checked = walk.checked();
  report.first_problem = walk.take_problem();
  if (!report.first_problem && !report.file_hash_matches) {
    report.first_problem =
        problem("file_hash_mismatch", 0, 0, "every record is sound but the file's SHA-256 differs from the signed one");
  }
  return report;
}

}  // namespace knutpunkt::audit_export
