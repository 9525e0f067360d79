#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "audit_export/audit_exporter.h"
#include "export_test_support.h"

using namespace export_test;
using ae::ExportFormat;

namespace {

std::vector<knutpunkt::AuditRecord> stored(knutpunkt::Store& store) {
  std::vector<knutpunkt::AuditRecord> out;
  REQUIRE(store
              .scan_audit(1,
                          [&](const knutpunkt::AuditRecord& r) {
                            out.push_back(r);
                            return true;
                          })
              .has_value());
  return out;
}

void raw_exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("a JSONL export of the whole log verifies, and its manifest states the range and the log's head") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  write_chain(*store, 12);
  auto keys = make_keys(dir.path);
  const auto out = dir.path / "export.jsonl";
  auto manifest = ae::export_audit(*store, request(ExportFormat::jsonl, out), signing_key(keys));
  REQUIRE(manifest.has_value());

  const auto records = stored(*store);
  CHECK(manifest->record_count == 12);
  CHECK(manifest->first_seq == 1);
  CHECK(manifest->first_prev_hash == knutpunkt::genesis_hash());
  CHECK(manifest->last_seq == 12);
  CHECK(manifest->last_hash == records.back().hash);
  CHECK(manifest->log_head_seq == 12);
  CHECK(manifest->log_head_hash == records.back().hash);
  CHECK(manifest->file_name == "export.jsonl");
  CHECK(manifest->file_bytes == static_cast<std::int64_t>(std::filesystem::file_size(out)));
  CHECK(manifest->exported_by == "inspektor-7");
  CHECK(manifest->key_id == verifying_key(keys).key_id());
  CHECK(split_lines(read_file(out)).size() == 12);

  auto report = verify(out, keys);
  INFO(detail_of(report));
  CHECK(report.intact());
  CHECK(report.signature_valid);
  CHECK(report.file_hash_matches);
  CHECK(report.records_checked == 12);
}

TEST_CASE("a CSV export of the whole log verifies and has a header row and one row per record") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  write_chain(*store, 9);
  auto keys = make_keys(dir.path);
  const auto out = dir.path / "export.csv";
  REQUIRE(ae::export_audit(*store, request(ExportFormat::csv, out), signing_key(keys)).has_value());
  const auto lines = split_lines(read_file(out));
  REQUIRE(lines.size() == 10);
  CHECK(lines[0] == ae::csv_header_row());
  auto report = verify(out, keys);
  INFO(detail_of(report));
  CHECK(report.intact());
  CHECK(report.records_checked == 9);
}

TEST_CASE("an export from the middle of the log links its first record to the record before the range") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  write_chain(*store, 20);
  const auto records = stored(*store);
  auto keys = make_keys(dir.path);
  for (auto format : {ExportFormat::jsonl, ExportFormat::csv}) {
    const auto out = dir.path / ("middle." + std::string(ae::to_string(format)));
    auto req = request(format, out);
    req.from_seq = 6;
    req.to_seq = 14;
    auto manifest = ae::export_audit(*store, req, signing_key(keys));
    REQUIRE(manifest.has_value());
    CHECK(manifest->first_seq == 6);
    CHECK(manifest->last_seq == 14);
    CHECK(manifest->record_count == 9);
    CHECK(manifest->first_prev_hash == records[4].hash);
    CHECK(manifest->last_hash == records[13].hash);
    CHECK(manifest->log_head_seq == 20);
    auto report = verify(out, keys);
    INFO(detail_of(report));
    CHECK(report.intact());
    CHECK(report.records_checked == 9);
  }
}

TEST_CASE("a time range is resolved to the seq range of the records recorded inside it, until exclusive") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  write_timed_chain(*store, {{"2026-01-01T08:00:00.000Z", {{"n", 1}}},
                             {"2026-01-02T08:00:00.000Z", {{"n", 2}}},
                             {"2026-01-02T17:30:00.000Z", {{"n", 3}}},
                             {"2026-01-03T00:00:00.000Z", {{"n", 4}}},
                             {"2026-01-04T08:00:00.000Z", {{"n", 5}}}});
  auto keys = make_keys(dir.path);
  const auto out = dir.path / "day.jsonl";
  auto req = request(ExportFormat::jsonl, out);
  req.since = "2026-01-02T00:00:00Z";
  req.until = "2026-01-03";
  auto manifest = ae::export_audit(*store, req, signing_key(keys));
  REQUIRE(manifest.has_value());
  CHECK(manifest->first_seq == 2);
  CHECK(manifest->last_seq == 3);
  CHECK(manifest->selection.by == "time");
  CHECK(manifest->selection.since == "2026-01-02T00:00:00.000Z");
  CHECK(manifest->selection.until == "2026-01-03T00:00:00.000Z");
  CHECK(manifest->earliest_recorded_at == "2026-01-02T08:00:00.000Z");
  CHECK(manifest->latest_recorded_at == "2026-01-02T17:30:00.000Z");
  CHECK(verify(out, keys).intact());
}

TEST_CASE("a time range whose records are interleaved with a clock step back exports one contiguous seq range") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  // seq 3 was recorded after the clock stepped back out of the window: it lies inside the
  // seq range, so it is exported too (an export is contiguous), and the manifest says so.
  write_timed_chain(*store, {{"2026-01-01T08:00:00.000Z", {{"n", 1}}},
                             {"2026-01-02T08:00:00.000Z", {{"n", 2}}},
                             {"2026-01-01T23:59:00.000Z", {{"n", 3}}},
                             {"2026-01-02T09:00:00.000Z", {{"n", 4}}},
                             {"2026-01-05T08:00:00.000Z", {{"n", 5}}}});
  auto keys = make_keys(dir.path);
  const auto out = dir.path / "day.jsonl";
  auto req = request(ExportFormat::jsonl, out);
  req.since = "2026-01-02T00:00:00Z";
  req.until = "2026-01-03T00:00:00Z";
  auto manifest = ae::export_audit(*store, req, signing_key(keys));
  REQUIRE(manifest.has_value());
  CHECK(manifest->first_seq == 2);
  CHECK(manifest->last_seq == 4);
  CHECK(manifest->earliest_recorded_at == "2026-01-01T23:59:00.000Z");
  CHECK(verify(out, keys).intact());
}

TEST_CASE("Swedish characters, commas, quotes and newlines in bodies survive a CSV export byte for byte") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  const std::vector<nlohmann::json> bodies = {
      {{"client", "Göteborgs stad"},
       {"case_id", "Ärende, \"akut\""},
       {"purpose", "rad ett\nrad två\r\nrad tre"},
       {"outcome", "nekad; se \"beslut\""},
       {"note", "Åsa Öberg-Ärlig, \"ÅÄÖ\" åäö é ü ß"}},
      {{"client", "=HYPERLINK(\"http://x\")"}, {"person", {{"id", "-1"}}}, {"text", "\"\"\",,,\n\n"}},
  };
  {
    auto log = knutpunkt::AuditLog::open(*store);
    REQUIRE(log.has_value());
    for (const auto& b : bodies) append_and_wait(**log, "lookup", b);
  }
  auto keys = make_keys(dir.path);
  const auto out = dir.path / "svenska.csv";
  REQUIRE(ae::export_audit(*store, request(ExportFormat::csv, out), signing_key(keys)).has_value());
  auto report = verify(out, keys);
  INFO(detail_of(report));
  CHECK(report.intact());
  CHECK(report.records_checked == 2);

  // Read the rows back as a spreadsheet would (RFC 4180): each body cell is the stored body.
  const std::string text = read_file(out);
  std::vector<std::vector<std::string>> rows;
  std::string row;
  for (const auto& line : split_lines(text)) {
    row += line;
    if (std::count(row.begin(), row.end(), '"') % 2 == 0) {
      REQUIRE(row.ends_with("\r\n"));
      auto cells = ae::split_csv_row(std::string_view(row).substr(0, row.size() - 2));
      REQUIRE(cells.has_value());
      rows.push_back(*cells);
      row.clear();
    }
  }
  REQUIRE(rows.size() == 3);
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    CHECK(nlohmann::json::parse(rows[i + 1][5]) == bodies[i]);
  }
  CHECK(rows[1][6] == "Göteborgs stad");
  CHECK(rows[1][7] == "Ärende, \"akut\"");
  CHECK(rows[1][9] == "rad ett\nrad två\r\nrad tre");
  CHECK(rows[2][6] == "'=HYPERLINK(\"http://x\")");
  CHECK(rows[2][8] == "'-1");
}

TEST_CASE("an empty range is refused with a clear error and writes no file") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  auto keys = make_keys(dir.path);
  const auto out = dir.path / "e.jsonl";

  auto on_empty_log = ae::export_audit(*store, request(ExportFormat::jsonl, out), signing_key(keys));
  REQUIRE_FALSE(on_empty_log.has_value());
  CHECK(on_empty_log.error().code == "empty_range");

  write_timed_chain(*store, {{"2026-01-01T08:00:00.000Z", {{"n", 1}}}, {"2026-01-02T08:00:00.000Z", {{"n", 2}}}});
  auto backwards = request(ExportFormat::jsonl, out);
  backwards.from_seq = 2;
  backwards.to_seq = 1;
  auto reversed = ae::export_audit(*store, backwards, signing_key(keys));
  REQUIRE_FALSE(reversed.has_value());
  CHECK(reversed.error().code == "empty_range");
  CHECK(reversed.error().field == "to-seq");

  auto quiet = request(ExportFormat::jsonl, out);
  quiet.since = "2026-02-01T00:00:00Z";
  auto no_records = ae::export_audit(*store, quiet, signing_key(keys));
  REQUIRE_FALSE(no_records.has_value());
  CHECK(no_records.error().code == "empty_range");
  CHECK(no_records.error().message.find("time range") != std::string::npos);

  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(ae::manifest_path_for(out)));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
    CHECK_FALSE(entry.path().filename().string().starts_with("e.jsonl"));
  }
}

TEST_CASE("a range past the head, a mixed seq and time range, and a malformed time are refused") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  write_chain(*store, 3);
  auto keys = make_keys(dir.path);
  auto past = request(ExportFormat::jsonl, dir.path / "x.jsonl");
  past.to_seq = 4;
  auto beyond = ae::export_audit(*store, past, signing_key(keys));
  REQUIRE_FALSE(beyond.has_value());
  CHECK(beyond.error().code == "range_beyond_head");

  auto mixed = request(ExportFormat::jsonl, dir.path / "x.jsonl");
  mixed.from_seq = 1;
  mixed.since = "2026-01-01T00:00:00Z";
  auto both = ae::export_audit(*store, mixed, signing_key(keys));
  REQUIRE_FALSE(both.has_value());
  CHECK(both.error().code == "invalid_request");

  auto bad_time = request(ExportFormat::jsonl, dir.path / "x.jsonl");
  bad_time.until = "2026-01-01T00:00:00+01:00";
  auto malformed = ae::export_audit(*store, bad_time, signing_key(keys));
  REQUIRE_FALSE(malformed.has_value());
  CHECK(malformed.error().code == "invalid_request");
  CHECK(malformed.error().field == "until");
}

TEST_CASE("an export never overwrites an existing file") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  write_chain(*store, 2);
  auto keys = make_keys(dir.path);
  const auto out = dir.path / "x.jsonl";
  write_file(out, "earlier export\n");
  auto again = ae::export_audit(*store, request(ExportFormat::jsonl, out), signing_key(keys));
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == "output_exists");
  CHECK(read_file(out) == "earlier export\n");
}

TEST_CASE("the export file holds personal data and is created readable by its owner only") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  write_chain(*store, 2);
  auto keys = make_keys(dir.path);
  const auto out = dir.path / "x.csv";
  REQUIRE(ae::export_audit(*store, request(ExportFormat::csv, out), signing_key(keys)).has_value());
  struct stat st {};
  REQUIRE(::stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("the gateway's key does not sign a range whose chain is broken in the database") {
  TempDir dir;
  const auto db = dir.path / "k.db";
  {
    auto store = open_store(db);
    write_chain(*store, 10);
  }
  raw_exec(db,
           "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; "
           "UPDATE audit_log SET body = '{\"case_id\":\"C-X\"}' WHERE seq = 7;");
  auto store = open_store(db);
  auto keys = make_keys(dir.path);
  const auto out = dir.path / "x.jsonl";
  auto req = request(ExportFormat::jsonl, out);
  req.from_seq = 5;
  auto refused = ae::export_audit(*store, req, signing_key(keys));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == "chain_broken");
  CHECK(refused.error().message.find("seq 7") != std::string::npos);
  CHECK(refused.error().message.find("C-X") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(out.string() + ".partial"));

  // A range that ends before the damage is still sound and exportable.
  auto before = request(ExportFormat::jsonl, dir.path / "y.jsonl");
  before.to_seq = 6;
  CHECK(ae::export_audit(*store, before, signing_key(keys)).has_value());
}

TEST_CASE("a range whose first record does not link to the record before it in the database is refused") {
  TempDir dir;
  const auto db = dir.path / "k.db";
  {
    auto store = open_store(db);
    write_chain(*store, 6);
  }
  raw_exec(db,
           "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; "
           "UPDATE audit_log SET hash = '" +
               std::string(64, 'f') + "' WHERE seq = 3;");
  auto store = open_store(db);
  auto keys = make_keys(dir.path);
  auto req = request(ExportFormat::jsonl, dir.path / "x.jsonl");
  req.from_seq = 4;
  auto refused = ae::export_audit(*store, req, signing_key(keys));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == "chain_broken");
}

TEST_CASE("a range whose record before it was deleted from the database is refused, naming that seq") {
  TempDir dir;
  const auto db = dir.path / "k.db";
  {
    auto store = open_store(db);
    write_chain(*store, 6);
  }
  raw_exec(db,
           "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; "
           "DELETE FROM audit_log WHERE seq = 3;");
  auto store = open_store(db);
  auto keys = make_keys(dir.path);
  auto req = request(ExportFormat::jsonl, dir.path / "x.jsonl");
  req.from_seq = 4;
  auto refused = ae::export_audit(*store, req, signing_key(keys));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == "chain_broken");
  CHECK(refused.error().message.find("seq 3") != std::string::npos);

  auto gap = request(ExportFormat::jsonl, dir.path / "y.jsonl");
  gap.from_seq = 2;
  auto across = ae::export_audit(*store, gap, signing_key(keys));
  REQUIRE_FALSE(across.has_value());
  CHECK(across.error().code == "chain_broken");
  CHECK(across.error().message.find("seq 3 is missing") != std::string::npos);
}
