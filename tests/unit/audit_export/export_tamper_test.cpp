// Each kind of damage to an export or its manifest is caught, and named by its own code.
#include <catch2/catch.hpp>

#include "audit/canonical_json.h"
#include "export_test_support.h"

using namespace export_test;
using ae::ExportFormat;

namespace {

struct Exported {
  TempDir dir;
  KeyPair keys;
  std::filesystem::path file;
  std::filesystem::path manifest;

  explicit Exported(ExportFormat format, int records = 10) {
    auto store = open_store(dir.path / "k.db");
    write_chain(*store, records);
    keys = make_keys(dir.path);
    file = dir.path / ("export." + std::string(ae::to_string(format)));
    manifest = ae::manifest_path_for(file);
    REQUIRE(ae::export_audit(*store, request(format, file), signing_key(keys)).has_value());
    REQUIRE(verify(file, keys).intact());
  }

  std::vector<std::string> lines() const { return split_lines(read_file(file)); }
  void write_lines(const std::vector<std::string>& lines) const { write_file(file, join(lines)); }
  ae::ExportVerifyReport check() const { return verify(file, keys); }
};

// Replaces the first occurrence of `from` in `line` (which must hold it) by `to`.
void replace_in(std::string& line, const std::string& from, const std::string& to) {
  auto at = line.find(from);
  REQUIRE(at != std::string::npos);
  line.replace(at, from.size(), to);
}

std::string hash_field(const std::string& jsonl_line) {
  return nlohmann::json::parse(jsonl_line)["hash"].get<std::string>();
}

std::string flip_hex(std::string hex, std::size_t at) {
  hex[at] = hex[at] == 'a' ? 'b' : 'a';
  return hex;
}

}  // namespace

TEST_CASE("JSONL: one changed byte in a body is named content_changed at its line and seq") {
  Exported e(ExportFormat::jsonl);
  auto lines = e.lines();
  replace_in(lines[4], "\"C-5\"", "\"C-6\"");
  e.write_lines(lines);
  auto report = e.check();
  REQUIRE(problem_code(report) == "content_changed");
  CHECK(report.first_problem->line == 5);
  CHECK(report.first_problem->seq == 5);
  CHECK(report.records_checked == 4);
  CHECK_FALSE(report.file_hash_matches);
  CHECK(report.first_problem->detail.find("C-") == std::string::npos);
}

TEST_CASE("JSONL: one changed byte in a hash field is named hash_changed") {
  Exported e(ExportFormat::jsonl);
  auto lines = e.lines();
  const std::string h = hash_field(lines[2]);
  replace_in(lines[2], "\"hash\":\"" + h, "\"hash\":\"" + flip_hex(h, 20));
  e.write_lines(lines);
  auto report = e.check();
  REQUIRE(problem_code(report) == "hash_changed");
  CHECK(report.first_problem->seq == 3);
}

TEST_CASE("JSONL: a changed hash on the last line is recognised against the manifest's last hash") {
  Exported e(ExportFormat::jsonl);
  auto lines = e.lines();
  const std::string h = hash_field(lines.back());
  replace_in(lines.back(), "\"hash\":\"" + h, "\"hash\":\"" + flip_hex(h, 0));
  e.write_lines(lines);
  auto report = e.check();
  REQUIRE(problem_code(report) == "hash_changed");
  CHECK(report.first_problem->seq == 10);
}

TEST_CASE("JSONL: a changed prev_hash is named broken_link") {
  Exported e(ExportFormat::jsonl);
  auto lines = e.lines();
  const std::string prev = nlohmann::json::parse(lines[6])["prev_hash"].get<std::string>();
  replace_in(lines[6], "\"prev_hash\":\"" + prev, "\"prev_hash\":\"" + flip_hex(prev, 63));
  e.write_lines(lines);
  auto report = e.check();
  REQUIRE(problem_code(report) == "broken_link");
  CHECK(report.first_problem->seq == 7);
}

TEST_CASE("JSONL: a record rewritten with a fresh hash breaks the next record's link") {
  Exported e(ExportFormat::jsonl);
  auto lines = e.lines();
  auto j = nlohmann::json::parse(lines[3]);
  knutpunkt::AuditRecord r{j["seq"], j["recorded_at"], j["kind"], j["body"], j["prev_hash"], ""};
  r.body["case_id"] = "C-forged";
  r.hash = *knutpunkt::record_hash(r);
  lines[3] = *ae::jsonl_line(r) + "\n";
  e.write_lines(lines);
  auto report = e.check();
  REQUIRE(problem_code(report) == "broken_link");
  CHECK(report.first_problem->seq == 5);
}

TEST_CASE("JSONL: the last record rewritten with a fresh hash is named last_hash_mismatch") {
  Exported e(ExportFormat::jsonl);
  auto lines = e.lines();
  auto j = nlohmann::json::parse(lines.back());
  knutpunkt::AuditRecord r{j["seq"], j["recorded_at"], j["kind"], j["body"], j["prev_hash"], ""};
  r.body["outcome"] = "complete";
  r.body["n"] = 1000;
  r.hash = *knutpunkt::record_hash(r);
  lines.back() = *ae::jsonl_line(r) + "\n";
  e.write_lines(lines);
  CHECK(problem_code(e.check()) == "last_hash_mismatch");
}

TEST_CASE("JSONL: a removed line in the middle is named missing_records and names the missing seq") {
  Exported e(ExportFormat::jsonl);
  auto lines = e.lines();
  lines.erase(lines.begin() + 5);
  e.write_lines(lines);
  auto report = e.check();
  REQUIRE(problem_code(report) == "missing_records");
  CHECK(report.first_problem->seq == 7);
  CHECK(report.first_problem->detail.find("seq 6 missing") != std::string::npos);
}

TEST_CASE("JSONL: a removed first line is named missing_records") {
  Exported e(ExportFormat::jsonl);
  auto lines = e.lines();
  lines.erase(lines.begin());
  e.write_lines(lines);
  CHECK(problem_code(e.check()) == "missing_records");
}

TEST_CASE("JSONL: two swapped lines are named out_of_order") {
  Exported e(ExportFormat::jsonl);
  auto lines = e.lines();
  std::swap(lines[3], lines[4]);
  e.write_lines(lines);
  auto report = e.check();
  REQUIRE(problem_code(report) == "out_of_order");
  CHECK(report.first_problem->line == 4);
  CHECK(report.first_problem->seq == 5);
}

TEST_CASE("JSONL: a repeated line is named out_of_order") {
  Exported e(ExportFormat::jsonl);
  auto lines = e.lines();
  lines.insert(lines.begin() + 3, lines[2]);
  e.write_lines(lines);
  CHECK(problem_code(e.check()) == "out_of_order");
}

TEST_CASE("JSONL: a file cut in the middle of a line, or after a whole line, is named truncated") {
  SECTION("mid-line") {
    Exported e(ExportFormat::jsonl);
    const std::string text = read_file(e.file);
    write_file(e.file, text.substr(0, text.size() - 40));
    auto report = e.check();
    REQUIRE(problem_code(report) == "truncated");
    CHECK(report.first_problem->line == 10);
  }
  SECTION("at a line end") {
    Exported e(ExportFormat::jsonl);
    auto lines = e.lines();
    lines.pop_back();
    e.write_lines(lines);
    auto report = e.check();
    REQUIRE(problem_code(report) == "truncated");
    CHECK(report.first_problem->detail.find("ends after seq 9") != std::string::npos);
  }
  SECTION("emptied") {
    Exported e(ExportFormat::jsonl);
    write_file(e.file, "");
    CHECK(problem_code(e.check()) == "truncated");
  }
}

TEST_CASE("JSONL: a record appended after the manifest's last seq is named extra_records") {
  Exported e(ExportFormat::jsonl);
  auto lines = e.lines();
  auto j = nlohmann::json::parse(lines.back());
  knutpunkt::AuditRecord r{11, j["recorded_at"], "lookup", {{"n", 11}}, j["hash"], ""};
  r.hash = *knutpunkt::record_hash(r);
  lines.push_back(*ae::jsonl_line(r) + "\n");
  e.write_lines(lines);
  CHECK(problem_code(e.check()) == "extra_records");
}

TEST_CASE("JSONL: a line that is not JSON is line_unparseable; a reformatted one is not_canonical") {
  SECTION("not JSON") {
    Exported e(ExportFormat::jsonl);
    auto lines = e.lines();
    lines[1] = "{\"seq\":2,\n";
    e.write_lines(lines);
    auto report = e.check();
    REQUIRE(problem_code(report) == "line_unparseable");
    CHECK(report.first_problem->line == 2);
  }
  SECTION("same meaning, other bytes") {
    Exported e(ExportFormat::jsonl);
    auto lines = e.lines();
    lines[1] = nlohmann::json::parse(lines[1]).dump(1) + "\n";
    std::replace(lines[1].begin(), lines[1].end() - 1, '\n', ' ');
    e.write_lines(lines);
    CHECK(problem_code(e.check()) == "not_canonical");
  }
  SECTION("Windows line ends") {
    Exported e(ExportFormat::jsonl);
    auto lines = e.lines();
    lines[0].insert(lines[0].size() - 1, "\r");
    e.write_lines(lines);
    CHECK(problem_code(e.check()) == "not_canonical");
  }
}

TEST_CASE("an edited manifest is named signature_invalid, whatever field was edited") {
  Exported e(ExportFormat::jsonl);
  const std::string original = read_file(e.manifest);
  auto j = nlohmann::json::parse(original);
  SECTION("record count") {
    j["records"]["count"] = 9;
    j["records"]["last_seq"] = 9;
  }
  SECTION("exported_by") {
    j["exported_by"] = "someone-else";
  }
  SECTION("file hash") {
    j["file"]["sha256"] = flip_hex(j["file"]["sha256"].get<std::string>(), 5);
  }
  SECTION("a field added") {
    j["note"] = "approved";
  }
  SECTION("one byte of the raw file") {
    std::string text = original;
    replace_in(text, "inspektor-7", "inspektor-8");
    write_file(e.manifest, text);
    CHECK(problem_code(e.check()) == "signature_invalid");
    return;
  }
  write_file(e.manifest, j.dump(2));
  auto report = e.check();
  CHECK(problem_code(report) == "signature_invalid");
  CHECK_FALSE(report.signature_valid);
}

TEST_CASE("a manifest whose layout changed but not its content still verifies") {
  Exported e(ExportFormat::jsonl);
  write_file(e.manifest, nlohmann::json::parse(read_file(e.manifest)).dump());
  CHECK(e.check().intact());
}

TEST_CASE("a manifest that is not JSON is named manifest_malformed") {
  Exported e(ExportFormat::jsonl);
  std::string text = read_file(e.manifest);
  text.resize(text.size() / 2);
  write_file(e.manifest, text);
  CHECK(problem_code(e.check()) == "manifest_malformed");
}

TEST_CASE("verifying with another public key is named wrong_key and names both key ids") {
  Exported e(ExportFormat::jsonl);
  auto other = make_keys(e.dir.path, "other");
  auto report = ae::verify_export(e.file, e.manifest, verifying_key(other));
  REQUIRE(report.has_value());
  REQUIRE(problem_code(*report) == "wrong_key");
  CHECK(report->first_problem->detail.find(verifying_key(other).key_id()) != std::string::npos);
  CHECK(report->first_problem->detail.find(verifying_key(e.keys).key_id()) != std::string::npos);
}

TEST_CASE("a manifest re-signed by another key claiming the gateway's key id is named signature_invalid") {
  Exported e(ExportFormat::jsonl);
  auto forger = make_keys(e.dir.path, "forger");
  auto j = nlohmann::json::parse(read_file(e.manifest));
  j["exported_by"] = "someone-else";
  j.erase("signature");
  j["signature"] = *signing_key(forger).sign_hex(*knutpunkt::canonical_json(j));
  write_file(e.manifest, j.dump(2));
  CHECK(problem_code(e.check()) == "signature_invalid");
}

TEST_CASE("CSV: an edited convenience column is named convenience_column_mismatch") {
  Exported e(ExportFormat::csv);
  auto lines = e.lines();
  replace_in(lines[3], ",\"C-3\",", ",\"C-9\",");
  e.write_lines(lines);
  auto report = e.check();
  REQUIRE(problem_code(report) == "convenience_column_mismatch");
  CHECK(report.first_problem->seq == 3);
  CHECK(report.first_problem->line == 4);
  CHECK(report.first_problem->detail.find("case_id") != std::string::npos);
}

TEST_CASE("CSV: one changed byte in a body cell is named content_changed") {
  Exported e(ExportFormat::csv);
  auto lines = e.lines();
  replace_in(lines[5], "\"\"n\"\":5", "\"\"n\"\":6");
  e.write_lines(lines);
  auto report = e.check();
  REQUIRE(problem_code(report) == "content_changed");
  CHECK(report.first_problem->seq == 5);
}

TEST_CASE("CSV: removed, swapped and cut rows and an edited header are each named") {
  SECTION("removed") {
    Exported e(ExportFormat::csv);
    auto lines = e.lines();
    lines.erase(lines.begin() + 4);
    e.write_lines(lines);
    CHECK(problem_code(e.check()) == "missing_records");
  }
  SECTION("swapped") {
    Exported e(ExportFormat::csv);
    auto lines = e.lines();
    std::swap(lines[2], lines[3]);
    e.write_lines(lines);
    CHECK(problem_code(e.check()) == "out_of_order");
  }
  SECTION("cut") {
    Exported e(ExportFormat::csv);
    const std::string text = read_file(e.file);
    write_file(e.file, text.substr(0, text.size() - 7));
    CHECK(problem_code(e.check()) == "truncated");
  }
  SECTION("header") {
    Exported e(ExportFormat::csv);
    auto lines = e.lines();
    replace_in(lines[0], "\"outcome\"", "\"utfall\"");
    e.write_lines(lines);
    CHECK(problem_code(e.check()) == "csv_header_mismatch");
  }
  SECTION("re-saved with LF line ends") {
    Exported e(ExportFormat::csv);
    auto lines = e.lines();
    lines[2].erase(lines[2].size() - 2, 1);
    e.write_lines(lines);
    CHECK(problem_code(e.check()) == "not_canonical");
  }
}

TEST_CASE("the verifier reports unreadable files as errors, not as findings") {
  Exported e(ExportFormat::jsonl);
  auto missing_export = ae::verify_export(e.dir.path / "nope.jsonl", e.manifest, verifying_key(e.keys));
  REQUIRE_FALSE(missing_export.has_value());
  CHECK(missing_export.error().code == "io_error");
  auto missing_manifest = ae::verify_export(e.file, e.dir.path / "nope.json", verifying_key(e.keys));
  REQUIRE_FALSE(missing_manifest.has_value());
  CHECK(missing_manifest.error().code == "io_error");
}

TEST_CASE("a renamed export still verifies and the report says the name differs") {
  Exported e(ExportFormat::jsonl);
  const auto renamed = e.dir.path / "till-inspektionen.jsonl";
  std::filesystem::rename(e.file, renamed);
  auto report = ae::verify_export(renamed, e.manifest, verifying_key(e.keys));
  REQUIRE(report.has_value());
  CHECK(report->intact());
  CHECK_FALSE(report->file_name_matches);
}
