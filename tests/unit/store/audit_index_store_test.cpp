// The audit index in the SQLite store: written with its records, searched by every filter and
// their combinations, paged newest first, scanned both ways, and built at open for records
// committed before it existed.
#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

using knutpunkt::AuditQuery;
using knutpunkt::AuditRecord;
using knutpunkt::IndexedAuditRecord;
using knutpunkt::Store;
using Json = nlohmann::json;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "knutpunkt-index-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::unique_ptr<Store> open_store(const std::filesystem::path& file) {
  auto store = knutpunkt::open_sqlite_store(file);
  REQUIRE(store.has_value());
  return std::move(*store);
}

int raw_exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return rc;
}

std::string raw_text(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

const std::string kAnna = "191212121212";
const std::string kBo = "197010632391";
const std::string kCilla = "200001012384";

AuditRecord rec(std::int64_t seq, std::string kind, Json body, std::string at = "2026-03-01T10:00:00.000Z") {
  return AuditRecord{seq, std::move(at), std::move(kind), std::move(body), "p" + std::to_string(seq),
                     "h" + std::to_string(seq)};
}

// The shapes the gateway writes (lookup_service.cpp, lookup_endpoint.cpp, case_endpoint.cpp,
// delivery_engine.cpp), with the fields the index reads.
Json lookup(const std::string& person, const std::string& case_id, const std::string& caseworker,
            const std::string& client = "stockholm-ekb", const std::string& outcome = "complete") {
  return {{"lookup_id", "lk"},
          {"outcome", outcome},
          {"client", client},
          {"caseworker", {{"id", caseworker}, {"unit", "Farsta"}}},
          {"case_id", case_id},
          {"person", {{"id", person}, {"kind", "personnummer"}}},
          {"adapter", "ssbtek"}};
}

Json refused_lookup(const std::string& person, const std::string& case_id, const std::string& code) {
  Json b = lookup(person, case_id, "hw-anna");
  b["outcome"] = "refused";
  b["code"] = code;
  return b;
}

Json case_registration(const std::string& case_id, std::vector<std::string> household) {
  return {{"case_id", case_id}, {"status", "open"}, {"unit", "Farsta"}, {"household", household},
          {"client", "stockholm-ekb"}};
}

Json delivery(const std::string& case_id, const std::string& outcome) {
  return {{"message_id", "m"},        {"destination", "jobbtorg-soder"}, {"client_id", "stockholm-ekb"},
          {"case_id", case_id},        {"attempt", 1},                    {"outcome", outcome},
          {"http_status", 202},        {"error", ""}};
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
  REQUIRE(store
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

AuditQuery by(void (*set)(AuditQuery&)) {
  AuditQuery q;
  set(q);
  return q;
}

}  // namespace

TEST_CASE("each filter alone finds exactly its records, newest first") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  seed(*store);
  using V = std::vector<std::int64_t>;
  CHECK(search(*store, AuditQuery{}) == V{7, 6, 5, 4, 3, 2, 1});
  CHECK(search(*store, by([](AuditQuery& q) { q.person_id = kAnna; })) == V{7, 2, 1});
  CHECK(search(*store, by([](AuditQuery& q) { q.case_id = "EB-1"; })) == V{7, 6, 4, 3, 2, 1});
  CHECK(search(*store, by([](AuditQuery& q) { q.caseworker = "hw-bo"; })) == V{7, 5});
  CHECK(search(*store, by([](AuditQuery& q) { q.client = "goteborg-ekb"; })) == V{5});
  CHECK(search(*store, by([](AuditQuery& q) { q.partner = "jobbtorg-soder"; })) == V{6});
  CHECK(search(*store, by([](AuditQuery& q) { q.operation = "lookup"; })) == V{7, 5, 4, 3, 2});
  CHECK(search(*store, by([](AuditQuery& q) { q.outcome = "refused"; })) == V{4});
  CHECK(search(*store, by([](AuditQuery& q) { q.kind = "lookup.refused"; })) == V{4});
  CHECK(search(*store, by([](AuditQuery& q) { q.since = "2026-02-01T08:00:00.000Z"; })) == V{7, 6, 5, 4});
  CHECK(search(*store, by([](AuditQuery& q) { q.until = "2026-02-01T08:00:00.000Z"; })) == V{3, 2, 1});
  CHECK(search(*store, by([](AuditQuery& q) { q.person_id = "190001010000"; })).empty());
}

TEST_CASE("filters combine: every one that is set must match") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  seed(*store);
  using V = std::vector<std::int64_t>;
  CHECK(search(*store, by([](AuditQuery& q) {
          q.person_id = kAnna;
          q.operation = "lookup";
        })) == V{7, 2});
  CHECK(search(*store, by([](AuditQuery& q) {
          q.person_id = kAnna;
          q.caseworker = "hw-anna";
          q.until = "2026-03-01T00:00:00.000Z";
        })) == V{2});
  CHECK(search(*store, by([](AuditQuery& q) {
          q.case_id = "EB-1";
          q.operation = "lookup";
          q.outcome = "partial";
        })) == V{3});
  CHECK(search(*store, by([](AuditQuery& q) {
          q.client = "stockholm-ekb";
          q.operation = "lookup";
          q.since = "2026-01-06T00:00:00.000Z";
          q.until = "2026-03-01T08:00:00.000Z";
        })) == V{4, 3});
  CHECK(search(*store, by([](AuditQuery& q) {
          q.operation = "lookup";
          q.partner = "jobbtorg-soder";
        })).empty());
}

TEST_CASE("a search returns each record with its index entry as stored") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  seed(*store);
  AuditQuery q;
  q.kind = "lookup.refused";
  auto found = store->search_audit(q);
  REQUIRE(found.has_value());
  REQUIRE(found->size() == 1);
  const IndexedAuditRecord& r = found->front();
  CHECK(r.record.seq == 4);
  CHECK(r.record.kind == "lookup.refused");
  CHECK(r.record.recorded_at == "2026-02-01T08:00:00.000Z");
  CHECK(r.record.body == refused_lookup(kCilla, "EB-1", "not_in_household"));
  CHECK(r.record.hash == "h4");
  CHECK(r.index == knutpunkt::index_entry("lookup.refused", r.record.body));
  CHECK(r.index.reason == "not_in_household");
  CHECK(r.index.persons == std::vector<std::string>{kCilla});
}

TEST_CASE("a person in a case's household finds the case's registration") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  seed(*store);
  AuditQuery q;
  q.person_id = kBo;
  auto found = store->search_audit(q);
  REQUIRE(found.has_value());
  CHECK(seqs(*found) == std::vector<std::int64_t>{3, 1});
  CHECK(found->back().record.kind == "case.registered");
  CHECK(found->back().index.persons == std::vector<std::string>{kAnna, kBo});
}

TEST_CASE("pages follow one another through before_seq without repeats or gaps") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  std::vector<AuditRecord> batch;
  for (int i = 1; i <= 95; ++i) {
    batch.push_back(rec(i, "lookup", lookup(i % 3 == 0 ? kAnna : kBo, "EB-" + std::to_string(i % 2), "hw-anna")));
  }
  REQUIRE(store->append_audit(batch).has_value());
  for (const bool by_person : {false, true}) {
    AuditQuery q;
    if (by_person) q.person_id = kAnna;
    q.limit = 7;
    std::vector<std::int64_t> all;
    for (;;) {
      auto page = search(*store, q);
      REQUIRE(page.size() <= 7);
      all.insert(all.end(), page.begin(), page.end());
      if (page.size() < 7) break;
      q.before_seq = page.back();
    }
    std::vector<std::int64_t> expected;
    for (int i = 95; i >= 1; --i) {
      if (!by_person || i % 3 == 0) expected.push_back(i);
    }
    CHECK(all == expected);
  }
}

TEST_CASE("a scan visits every match in either order across pages, and stops when told") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  std::vector<AuditRecord> batch;
  for (int i = 1; i <= 1300; ++i) batch.push_back(rec(i, "lookup", lookup(kAnna, i % 2 ? "EB-odd" : "EB-even", "hw")));
  REQUIRE(store->append_audit(batch).has_value());
  AuditQuery q;
  q.case_id = "EB-odd";
  q.limit = 3;  // scans are not limited
  std::vector<std::int64_t> oldest, newest;
  REQUIRE(store->scan_audit_index(q, true, [&](const IndexedAuditRecord& r) {
    oldest.push_back(r.record.seq);
    return true;
  }).has_value());
  REQUIRE(store->scan_audit_index(q, false, [&](const IndexedAuditRecord& r) {
    newest.push_back(r.record.seq);
    return true;
  }).has_value());
  REQUIRE(oldest.size() == 650);
  CHECK(oldest.front() == 1);
  CHECK(oldest.back() == 1299);
  CHECK(std::is_sorted(oldest.begin(), oldest.end()));
  CHECK(std::vector<std::int64_t>(newest.rbegin(), newest.rend()) == oldest);

  q.before_seq = 101;
  int visited = 0;
  std::int64_t last = 0;
  REQUIRE(store->scan_audit_index(q, true, [&](const IndexedAuditRecord& r) {
    last = r.record.seq;
    return ++visited < 10;
  }).has_value());
  CHECK(visited == 10);
  CHECK(last == 19);
  std::vector<std::int64_t> bounded;
  REQUIRE(store->scan_audit_index(q, true, [&](const IndexedAuditRecord& r) {
    bounded.push_back(r.record.seq);
    return true;
  }).has_value());
  CHECK(bounded.size() == 50);
  CHECK(bounded.back() == 99);
}

TEST_CASE("time bounds hold even when the clock was set back between records") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  // seq 2 was stamped by a clock running an hour fast; seq 3 after it was corrected.
  REQUIRE(store
              ->append_audit({rec(1, "lookup", lookup(kAnna, "EB-1", "hw"), "2026-03-01T09:00:00.000Z"),
                              rec(2, "lookup", lookup(kAnna, "EB-1", "hw"), "2026-03-01T11:00:00.000Z"),
                              rec(3, "lookup", lookup(kAnna, "EB-1", "hw"), "2026-03-01T10:05:00.000Z"),
                              rec(4, "lookup", lookup(kAnna, "EB-1", "hw"), "2026-03-01T10:30:00.000Z")})
              .has_value());
  auto range = store->audit_seq_range("2026-03-01T10:00:00.000Z", "2026-03-01T12:00:00.000Z");
  REQUIRE(range.has_value());
  REQUIRE(range->has_value());
  CHECK(**range == std::pair<std::int64_t, std::int64_t>{2, 4});
  range = store->audit_seq_range("2026-03-01T10:00:00.000Z", "2026-03-01T10:10:00.000Z");
  CHECK(**range == std::pair<std::int64_t, std::int64_t>{3, 3});
  CHECK(**store->audit_seq_range("", "") == std::pair<std::int64_t, std::int64_t>{1, 4});
  CHECK_FALSE(store->audit_seq_range("2027-01-01T00:00:00.000Z", "").value().has_value());

  AuditQuery q;
  q.operation = "lookup";  // a broad filter: the time bounds become a seq range
  q.since = "2026-03-01T10:00:00.000Z";
  q.until = "2026-03-01T10:10:00.000Z";
  CHECK(search(*store, q) == std::vector<std::int64_t>{3});
  q.operation.clear();
  q.person_id = kAnna;  // a narrow one: the bounds are checked on its rows
  CHECK(search(*store, q) == std::vector<std::int64_t>{3});
  q.since = "2027-01-01T00:00:00.000Z";
  q.until.clear();
  q.person_id.clear();
  CHECK(search(*store, q).empty());
}

TEST_CASE("an index row commits with its record: a failed commit leaves neither") {
  TempDir dir;
  const auto file = dir.path / "k.db";
  auto store = open_store(file);
  REQUIRE(store->append_audit({rec(1, "lookup", lookup(kAnna, "EB-1", "hw"))}).has_value());

  // The record fails (seq 1 again): the first, good record of the batch leaves no index row.
  CHECK_FALSE(store->append_audit({rec(2, "lookup", lookup(kBo, "EB-2", "hw")), rec(1, "lookup", lookup(kBo, "EB-2", "hw"))})
                  .has_value());
  // The index row fails (one already there for seq 3): the record is not stored either.
  REQUIRE(raw_exec(file, "INSERT INTO audit_index (seq, recorded_at, kind, operation, outcome, reason, client, "
                         "caseworker, case_id, partner, persons) VALUES (3, '', '', '', '', '', '', '', '', '', '[]')") ==
          SQLITE_OK);
  CHECK_FALSE(store->append_audit({rec(2, "lookup", lookup(kBo, "EB-2", "hw")), rec(3, "lookup", lookup(kBo, "EB-2", "hw"))})
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
    while (sqlite3_step(s) == SQLITE_ROW) out += std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 3))) + "\n";
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
  const std::string person_plan =
      plan("SELECT l.seq FROM audit_person p CROSS JOIN audit_index i CROSS JOIN audit_log l WHERE p.person_id = 'x' "
           "AND i.seq = p.seq AND l.seq = i.seq AND p.seq < 5 ORDER BY p.seq DESC LIMIT 50");
  INFO(person_plan);
  CHECK(person_plan.find("SEARCH p USING PRIMARY KEY (person_id=? AND seq<?)") != std::string::npos);
  CHECK(person_plan.find("TEMP B-TREE") == std::string::npos);
}
