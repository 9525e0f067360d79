#include "audit/audit_verifier.h"

#include <catch2/catch.hpp>

#include "audit/audit_chain.h"
#include "audit_test_support.h"

using namespace audit_test;
using knutpunkt::verify_chain;

namespace {

constexpr int kRecords = 20;

struct TamperedLog {
  TempDir dir;
  std::filesystem::path file = dir.path / "k.db";
  TamperedLog() {
    auto store = open_store(file);
    write_chain(*store, kRecords);
  }
  knutpunkt::VerifyReport verify(std::optional<knutpunkt::ChainHead> head = std::nullopt) {
    auto store = open_store(file);
    auto report = head ? verify_chain(*store, *head) : verify_chain(*store);
    REQUIRE(report.has_value());
    return *report;
  }
  knutpunkt::AuditRecord read(std::int64_t seq) {
    auto store = open_store(file);
    std::optional<knutpunkt::AuditRecord> found;
    REQUIRE(store
                ->scan_audit(seq,
                             [&](const knutpunkt::AuditRecord& r) {
                               found = r;
                               return false;
                             })
                .has_value());
    REQUIRE(found.has_value());
    return *found;
  }
};

std::string sql_text(const std::string& s) {
  return "'" + s + "'";
}

}  // namespace

TEST_CASE("an untouched chain of N records verifies intact and reports its head") {
  TamperedLog log;
  const auto report = log.verify();
  CHECK(problem(report) == "intact");
  CHECK(report.records == kRecords);
  CHECK(report.head_seq == kRecords);
  CHECK(report.head_hash == log.read(kRecords).hash);
}

TEST_CASE("an empty log verifies intact with the genesis hash as head") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  auto report = verify_chain(*store);
  REQUIRE(report.has_value());
  CHECK(report->intact());
  CHECK(report->records == 0);
  CHECK(report->head_hash == knutpunkt::genesis_hash());
}

TEST_CASE("a body edited in the database is reported changed at that seq") {
  TamperedLog log;
  tamper(log.file, R"(UPDATE audit_log SET body = '{"case":"C-999","n":7}' WHERE seq = 7)");
  const auto report = log.verify();
  CHECK(problem(report) == "changed@7");
  CHECK(report.records == 6);
}

TEST_CASE("an edit of kind, time, or the body into invalid JSON or a float is reported changed") {
  TamperedLog log;
  SECTION("kind") {
    tamper(log.file, "UPDATE audit_log SET kind = 'ping' WHERE seq = 3");
  }
  SECTION("recorded_at") {
    tamper(log.file, "UPDATE audit_log SET recorded_at = '2020-01-01T00:00:00.000Z' WHERE seq = 3");
  }
  SECTION("body no longer JSON") {
    tamper(log.file, "UPDATE audit_log SET body = '{oops' WHERE seq = 3");
  }
  SECTION("body with a float") {
    tamper(log.file, R"(UPDATE audit_log SET body = '{"n":3.0}' WHERE seq = 3)");
  }
  CHECK(problem(log.verify()) == "changed@3");
}

TEST_CASE("a record edited with its hash recomputed is reported changed, found through the next link") {
  TamperedLog log;
  auto forged = log.read(9);
  forged.body["case"] = "C-other";
  const std::string new_hash = *knutpunkt::record_hash(forged);
  tamper(log.file, "UPDATE audit_log SET body = " + sql_text(forged.body.dump()) + ", hash = " + sql_text(new_hash) +
                       " WHERE seq = 9");
  CHECK(problem(log.verify()) == "changed@9");
}

TEST_CASE("a deleted middle record is reported removed at its seq") {
  TamperedLog log;
  tamper(log.file, "DELETE FROM audit_log WHERE seq = 11");
  const auto report = log.verify();
  CHECK(problem(report) == "removed@11");
  CHECK(report.records == 10);
}

TEST_CASE("a deleted first record is reported removed at seq 1") {
  TamperedLog log;
  tamper(log.file, "DELETE FROM audit_log WHERE seq = 1");
  CHECK(problem(log.verify()) == "removed@1");
}

TEST_CASE("deleted records with the rest renumbered to close the gap are reported removed") {
  TamperedLog log;
  tamper(log.file, "DELETE FROM audit_log WHERE seq IN (5, 6); " + renumber_from(7, -2));
  const auto report = log.verify();
  CHECK(problem(report) == "removed@5");
  REQUIRE(report.first_problem);
  CHECK(report.first_problem->detail.find("2 record(s)") != std::string::npos);
}

TEST_CASE("a forged record inserted with the rest renumbered is reported inserted") {
  TamperedLog log;
  const auto before = log.read(4);
  knutpunkt::AuditRecord forged{5, before.recorded_at, "lookup", {{"case", "C-forged"}}, before.hash, {}};
  SECTION("a careful forger links and hashes the record correctly") {
    forged.hash = *knutpunkt::record_hash(forged);
  }
  SECTION("a careless forger copies the previous record's hash") {
    forged.hash = before.hash;
  }
  SECTION("a careless forger writes any hash") {
    forged.hash = std::string(64, 'f');
  }
  tamper(log.file, renumber_from(5, 1) + "INSERT INTO audit_log VALUES (5, " + sql_text(forged.recorded_at) + ", " +
                       sql_text(forged.kind) + ", " + sql_text(forged.body.dump()) + ", " + sql_text(forged.prev_hash) +
                       ", " + sql_text(forged.hash) + ")");
  const auto report = log.verify();
  CHECK(problem(report) == "inserted@5");
  CHECK(report.records == 4);
}

TEST_CASE("a forged record inserted before the first is reported inserted at seq 1") {
  TamperedLog log;
  knutpunkt::AuditRecord forged{1, "2025-01-01T00:00:00.000Z", "lookup", {{"x", 1}}, knutpunkt::genesis_hash(), {}};
  forged.hash = *knutpunkt::record_hash(forged);
  tamper(log.file, renumber_from(1, 1) + "INSERT INTO audit_log VALUES (1, " + sql_text(forged.recorded_at) + ", " +
                       sql_text(forged.kind) + ", " + sql_text(forged.body.dump()) + ", " + sql_text(forged.prev_hash) +
                       ", " + sql_text(forged.hash) + ")");
  CHECK(problem(log.verify()) == "inserted@1");
}

TEST_CASE("a truncated tail verifies on its own but not against a remembered head") {
  TamperedLog log;
  const knutpunkt::ChainHead remembered{kRecords, log.read(kRecords).hash};
  CHECK(problem(log.verify(remembered)) == "intact");
  tamper(log.file, "DELETE FROM audit_log WHERE seq > 15");
  CHECK(problem(log.verify()) == "intact");
  CHECK(problem(log.verify(remembered)) == "removed@16");
}

TEST_CASE("a remembered head that no longer matches its record is reported changed") {
  TamperedLog log;
  const knutpunkt::ChainHead remembered{12, std::string(64, 'a')};
  CHECK(problem(log.verify(remembered)) == "changed@12");
}

TEST_CASE("a problem detail names no record content") {
  TamperedLog log;
  tamper(log.file, R"(UPDATE audit_log SET body = '{"case":"C-secret","n":7}' WHERE seq = 7)");
  const auto report = log.verify();
  REQUIRE(report.first_problem);
  CHECK(report.first_problem->detail.find("C-secret") == std::string::npos);
}
