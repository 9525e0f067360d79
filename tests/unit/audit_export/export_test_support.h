#pragma once
// Shared by the unit_audit_export test files: a temporary directory, a store with a real chain
// (written through AuditLog, or built record by record when the test needs chosen times), a key
// pair, and byte-level file edits as a forger would make them.
#include <sqlite3.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit_chain.h"
#include "audit_test_support.h"
#include "audit/audit_log.h"
#include "audit_export/audit_exporter.h"
#include "audit_export/export_verifier.h"
#include "audit_export/signing_key.h"
#include "store/sqlite/sqlite_store.h"

namespace export_test {

namespace ae = knutpunkt::audit_export;

// The temporary folder and store of the audit tests (tests/unit/audit/audit_test_support.h).
using audit_test::TempDir;
using audit_test::open_store;

inline void append_and_wait(knutpunkt::AuditLog& log, std::string kind, nlohmann::json body) {
  REQUIRE(audit_test::append_and_wait(log, std::move(kind), std::move(body)).has_value());
}

// A body shaped like the gateway's lookup records, distinct per record.
inline nlohmann::json lookup_body(int i) {
  return {{"lookup_id", "L-" + std::to_string(i)},
          {"client", "kommun-" + std::to_string(i % 3)},
          {"case_id", "C-" + std::to_string(i)},
          {"person", {{"id", "19121212121" + std::to_string(i % 10)}, {"kind", "personnummer"}}},
          {"purpose", "ekonomiskt_bistand"},
          {"outcome", i % 4 == 0 ? "refused" : "complete"},
          {"n", i}};
}

// `count` lookups through AuditLog, so hashes are the gateway's own.
inline void write_chain(knutpunkt::Store& store, int count) {
  auto log = knutpunkt::AuditLog::open(store);
  REQUIRE(log.has_value());
  for (int i = 1; i <= count; ++i) append_and_wait(**log, "lookup", lookup_body(i));
}

struct TimedEntry {
  std::string recorded_at;
  nlohmann::json body;
};

// A chain with chosen recorded_at values, hashed with record_hash as AuditLog does.
inline void write_timed_chain(knutpunkt::Store& store, const std::vector<TimedEntry>& entries) {
  std::vector<knutpunkt::AuditRecord> records;
  std::string prev = knutpunkt::genesis_hash();
  std::int64_t seq = 0;
  for (const auto& e : entries) {
    knutpunkt::AuditRecord r{++seq, e.recorded_at, "lookup", e.body, prev, {}};
    auto h = knutpunkt::record_hash(r);
    REQUIRE(h.has_value());
    r.hash = *h;
    prev = r.hash;
    records.push_back(std::move(r));
  }
  REQUIRE(store.append_audit(records).has_value());
}

struct KeyPair {
  std::filesystem::path private_pem;
  std::filesystem::path public_pem;
};

inline KeyPair make_keys(const std::filesystem::path& dir, const std::string& name = "export") {
  KeyPair keys{dir / (name + "-private.pem"), dir / (name + "-public.pem")};
  REQUIRE(ae::generate_key_pair(keys.private_pem, keys.public_pem).has_value());
  return keys;
}

inline ae::SigningKey signing_key(const KeyPair& keys) {
  auto key = ae::load_signing_key(keys.private_pem);
  REQUIRE(key.has_value());
  return std::move(*key);
}

inline ae::VerifyingKey verifying_key(const KeyPair& keys) {
  auto key = ae::load_verifying_key(keys.public_pem);
  REQUIRE(key.has_value());
  return std::move(*key);
}

inline ae::ExportRequest request(ae::ExportFormat format, const std::filesystem::path& out) {
  ae::ExportRequest r;
  r.format = format;
  r.out = out;
  r.exported_by = "inspektor-7";
  r.gateway_instance = "knutpunkt-test";
  return r;
}

inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_file(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << bytes;
  REQUIRE(out.good());
}

// The file's lines, each with its '\n' (the last one too, when present).
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size() - 1;
    lines.push_back(text.substr(start, end - start + 1));
    start = end + 1;
  }
  return lines;
}

inline std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l;
  return out;
}

inline ae::ExportVerifyReport verify(const std::filesystem::path& export_file, const KeyPair& keys) {
  auto report = ae::verify_export(export_file, ae::manifest_path_for(export_file), verifying_key(keys));
  REQUIRE(report.has_value());
  return std::move(*report);
}

inline std::string problem_code(const ae::ExportVerifyReport& report) {
  return report.first_problem ? report.first_problem->code : std::string("intact");
}

inline std::string detail_of(const ae::ExportVerifyReport& report) {
  return report.first_problem ? report.first_problem->code + ": " + report.first_problem->detail
                              : std::string("intact");
}

}  // namespace export_test
