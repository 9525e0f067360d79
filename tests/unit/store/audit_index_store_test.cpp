// The audit index as SQLite keeps it: index rows checked through raw SQL, the backfill at open for
// records committed before the index existed, and the query plans. What every backend must do
// with the index is in tests/conformance/store/audit_store_conformance.cpp.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store_test_support.h"

using knutpunkt::AuditQuery;
using knutpunkt::AuditRecord;
using knutpunkt::IndexedAuditRecord;
using knutpunkt::Store;
using Json = nlohmann::json;
using namespace store_test;

namespace {

const std::string kAnna = "191212121212";
const std::string kBo = "197010632391";
const std::string kCilla = "200001012384";

AuditRecord rec(std::int64_t seq, std::string kind, Json body, std::string at = "2026-03-01T10:00:00.000Z") {
  return AuditRecord{
      seq, std::move(at), std::move(kind), std::move(body), "p" + std::to_string(seq), "h" + std::to_string(seq)};
}

// The shapes the gateway writes (lookup_service.cpp, lookup_endpoint.cpp, case_endpoint.cpp,
// delivery_engine.cpp), with the fields the index reads.
Json lookup(const std::string& person, const std::string& case_id, const std::string& caseworker,
            const std::string& client = "stockholm-ekb", const std::string& outcome = "complete") {
  return {{"lookup_id", "lk"},  {"outcome", outcome},
          {"client", client},   {"caseworker", {{"id", caseworker}, {"unit", "Farsta"}}},
          {"case_id", case_id}, {"person", {{"id", person}, {"kind", "personnummer"}}},
          {"adapter", "ssbtek"}};
}

Json refused_lookup(const std::string& person, const std::string& case_id, const std::string& code) {
  Json b = lookup(person, case_id, "hw-anna");
  b["outcome"] = "refused";
  b["code"] = code;
  return b;
}

Json case_registration(const std::string& case_id, std::vector<std::string> household) {
  return {{"case_id", case_id},
          {"status", "open"},
          {"unit", "Farsta"},
          {"household", household},
          {"client", "stockholm-ekb"}};
}

Json delivery(const std::string& case_id, const std::string& outcome) {
  return {{"message_id", "m"},
          {"destination", "jobbtorg-soder"},
          {"client_id", "stockholm-ekb"},
          {"case_id", case_id},
          {"attempt", 1},
          {"outcome", outcome},
          {"http_status", 202},
          {"error", ""}};
}

std::vector<std::int64_t> seqs(const std::vector<IndexedAuditRecord>& rs) {
  std::vector<std::int64_t> out;
  for (const auto& r : rs) out.push_back(r.record.seq);
  return out;
}

std::vector<std::int64_t> search(Store& store, const AuditQuery& q) {
  auto found = store.search_audit(q);
  REQUIRE(found.has_value());
  return seqs(*found);
}

// A small log: two persons, two cases, two caseworkers, two clients, a month apart.
void seed(Store& store) {
  REQUIRE(
      store
          .append_audit({
              rec(1, "case.registered", case_registration("EB-1", {kAnna, kBo}), "2026-01-05T09:00:00.000Z"),
              rec(2, "lookup", lookup(kAnna, "EB-1", "hw-anna"), "2026-01-05T09:01:00.000Z"),
              rec(3, "lookup", lookup(kBo, "EB-1", "hw-anna", "stockholm-ekb", "partial"), "2026-01-06T10:00:00.000Z"),
              rec(4, "lookup.refused", refused_lookup(kCilla, "EB-1", "not_in_household"), "2026-02-01T08:00:00.000Z"),
              rec(5, "lookup", lookup(kCilla, "EB-2", "hw-bo", "goteborg-ekb"), "2026-02-02T08:00:00.000Z"),
              rec(6, "delivery.attempt", delivery("EB-1", "delivered"), "2026-02-03T08:00:00.000Z"),
              rec(7, "lookup", lookup(kAnna, "EB-1", "hw-bo"), "2026-03-01T08:00:00.000Z"),
          })
          .has_value());
}

}  // namespace

TEST_CASE("an index row commits with its record: a failed commit leaves neither") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  auto store = open_store(file);
  REQUIRE(store->append_audit({rec(1, "lookup", lookup(kAnna, "EB-1", "hw"))}).has_value());

  // The record fails (seq 1 again): the first, good record of the batch leaves no index row.
  CHECK_FALSE(
      store->append_audit({rec(2, "lookup", lookup(kBo, "EB-2", "hw")), rec(1, "lookup", lookup(kBo, "EB-2", "hw"))})
          .has_value());
  // The index row fails (one already there for seq 3): the record is not stored either.
  REQUIRE(raw_exec(file,
                   "INSERT INTO audit_index (seq, recorded_at, kind, operation, outcome, reason, client, "
                   "caseworker, case_id, partner, persons) VALUES (3, '', '', '', '', '', '', '', '', '', '[]')") ==
          SQLITE_OK);
  CHECK_FALSE(
      store->append_audit({rec(2, "lookup", lookup(kBo, "EB-2", "hw")), rec(3, "lookup", lookup(kBo, "EB-2", "hw"))})
          .has_value());
  CHECK(raw_text(file, "SELECT COUNT(*) FROM audit_log") == "1");
  CHECK(raw_text(file, "SELECT group_concat(seq) FROM (SELECT seq FROM audit_index ORDER BY seq)") == "1,3");
  CHECK(raw_text(file, "SELECT COUNT(*) FROM audit_person") == "1");
  AuditQuery q;
  q.person_id = kBo;
  CHECK(search(*store, q).empty());

  REQUIRE(raw_exec(file, "DELETE FROM audit_index WHERE seq = 3") == SQLITE_OK);
  REQUIRE(store->append_audit({rec(2, "lookup", lookup(kBo, "EB-2", "hw"))}).has_value());
  CHECK(search(*store, q) == std::vector<std::int64_t>{2});
}

TEST_CASE("records committed without index rows (before migration 7) are indexed at open, across many pages") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  constexpr int kRecords = 4500;  // more than two backfill transactions
  {
    auto store = open_store(file);
    std::vector<AuditRecord> batch;
    for (int i = 1; i <= kRecords; ++i) {
      batch.push_back(rec(i, i % 100 == 0 ? "case.registered" : "lookup",
                          i % 100 == 0 ? case_registration("EB-" + std::to_string(i), {kAnna, kCilla})
                                       : lookup(i % 2 ? kAnna : kBo, "EB-" + std::to_string(i % 10), "hw")));
    }
    REQUIRE(store->append_audit(batch).has_value());
  }
  // What migration 7 finds in a database a version 6 build wrote: records, no index rows. (Emptied
  // here rather than dropped with the schema version set back, so this stays true whatever
  // migrations come later; sqlite_store_test's version 1 upgrade covers the migration itself.)
  REQUIRE(raw_exec(file, "DELETE FROM audit_person; DELETE FROM audit_index") == SQLITE_OK);
  REQUIRE(raw_text(file, "SELECT COUNT(*) FROM audit_index") == "0");

  auto store = open_store(file);
  CHECK(raw_text(file, "SELECT COUNT(*) FROM audit_index") == std::to_string(kRecords));
  AuditQuery q;
  q.person_id = kCilla;
  q.limit = 1000;
  CHECK(search(*store, q).size() == kRecords / 100);
  q.person_id = kBo;
  q.case_id = "EB-4";
  auto found = store->search_audit(q);
  REQUIRE(found.has_value());
  CHECK(found->size() == 450);
  CHECK(found->front().record.seq == 4494);
  CHECK(found->front().index.caseworker == "hw");

  // New commits continue the index; reopening indexes nothing twice.
  REQUIRE(store->append_audit({rec(kRecords + 1, "lookup", lookup(kCilla, "EB-x", "hw"))}).has_value());
  store.reset();
  store = open_store(file);
  CHECK(raw_text(file, "SELECT COUNT(*) FROM audit_index") == std::to_string(kRecords + 1));
  q = AuditQuery{};
  q.case_id = "EB-x";
  CHECK(search(*store, q) == std::vector<std::int64_t>{kRecords + 1});
}

TEST_CASE("each filter is answered through its own index, not by reading the whole log") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  auto store = open_store(file);
  seed(*store);
  // The plans the store's queries get (the SQL is the store's; here only the plan is asked for).
  const auto plan = [&](const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &s, nullptr) == SQLITE_OK);
    std::string out;
    while (sqlite3_step(s) == SQLITE_ROW)
      out += std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 3))) + "\n";
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
  };
  const std::string cols = "SELECT l.seq FROM audit_index i CROSS JOIN audit_log l WHERE l.seq = i.seq AND ";
  const std::string case_plan =
      plan(cols + "i.case_id = 'EB-1' AND +i.operation = 'lookup' AND i.seq < 5 ORDER BY i.seq DESC LIMIT 50");
  INFO(case_plan);
  CHECK(case_plan.find("audit_index_case") != std::string::npos);
  CHECK(case_plan.find("TEMP B-TREE") == std::string::npos);  // no sort: the index gives seq order
  const std::string person_plan = plan(
      "SELECT l.seq FROM audit_person p CROSS JOIN audit_index i CROSS JOIN audit_log l WHERE p.person_id = 'x' "
      "AND i.seq = p.seq AND l.seq = i.seq AND p.seq < 5 ORDER BY p.seq DESC LIMIT 50");
  INFO(person_plan);
  CHECK(person_plan.find("SEARCH p USING PRIMARY KEY (person_id=? AND seq<?)") != std::string::npos);
  CHECK(person_plan.find("TEMP B-TREE") == std::string::npos);
}
