// AuditStore on every backend: records read back as committed, scans and pages, the auditors'
// index searched by every filter and their combinations, time ranges, and retention.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "conformance_support.h"
#include "store_backends.h"

using knutpunkt::AuditQuery;
using knutpunkt::AuditRecord;
using knutpunkt::IndexedAuditRecord;
using knutpunkt::Store;
using knutpunkt::conformance::BackendStore;
using knutpunkt::conformance::scan_all;
using Json = nlohmann::json;

namespace {

AuditRecord audit_record(std::int64_t seq, nlohmann::json body = {{"n", 1}}) {
  return AuditRecord{seq,
                     "2025-06-15T10:00:00.000Z",
                     "lookup",
                     std::move(body),
                     "prev" + std::to_string(seq),
                     "hash" + std::to_string(seq)};
}

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

AuditQuery by(void (*set)(AuditQuery&)) {
  AuditQuery q;
  set(q);
  return q;
}

}  // namespace

TEST_CASE("appended records read back field for field, in seq order, with UTF-8 intact") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  CHECK(store->ping().has_value());
  auto empty = store->last_audit_record();
  REQUIRE(empty.has_value());
  CHECK_FALSE(empty->has_value());

  const nlohmann::json body = {{"syfte", "Utredning av rätt till ekonomiskt bistånd"},
                               {"amount_ore", -125000},
                               {"sources", {"AF", "FK"}},
                               {"nested", {{"z", true}, {"a", nullptr}}}};
  REQUIRE(store->append_audit({audit_record(1, body), audit_record(2)}).has_value());
  REQUIRE(store->append_audit({audit_record(3)}).has_value());

  const auto all = scan_all(*store);
  REQUIRE(all.size() == 3);
  CHECK(all[0].seq == 1);
  CHECK(all[0].body == body);
  CHECK(all[0].recorded_at == "2025-06-15T10:00:00.000Z");
  CHECK(all[0].kind == "lookup");
  CHECK(all[0].prev_hash == "prev1");
  CHECK(all[0].hash == "hash1");
  CHECK(all[2].seq == 3);
  auto last = store->last_audit_record();
  REQUIRE(last.has_value());
  REQUIRE(last->has_value());
  CHECK((*last)->seq == 3);
}

TEST_CASE("the last record reads back field for field") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const AuditRecord first = rec(1, "lookup", lookup(kAnna, "EB-1", "hw"), "2026-03-01T09:00:00.000Z");
  const AuditRecord second = rec(2, "case.registered", case_registration("EB-1", {kAnna}), "2026-03-01T09:00:01.000Z");
  REQUIRE(store->append_audit({first, second}).has_value());
  const auto last = store->last_audit_record();
  REQUIRE(last.has_value());
  REQUIRE(last->has_value());
  CHECK((*last)->seq == 2);
  CHECK((*last)->recorded_at == "2026-03-01T09:00:01.000Z");
  CHECK((*last)->kind == "case.registered");
  CHECK((*last)->body == second.body);
  CHECK((*last)->prev_hash == "p2");
  CHECK((*last)->hash == "h2");
}

TEST_CASE("a body that is not valid UTF-8 is refused before anything is written") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  auto failed = store->append_audit({audit_record(1), audit_record(2, {{"bad", std::string("\xff\xfe")}})});
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == "invalid_body");
  CHECK(scan_all(*store).empty());
}

TEST_CASE("a scan starts at from_seq, crosses page boundaries and stops when the visitor says so") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  std::vector<AuditRecord> batch;
  for (std::int64_t seq = 1; seq <= 1300; ++seq) batch.push_back(audit_record(seq, {{"n", seq}}));
  REQUIRE(store->append_audit(batch).has_value());

  const auto all = scan_all(*store);
  REQUIRE(all.size() == 1300);
  for (std::size_t i = 0; i < all.size(); ++i) REQUIRE(all[i].seq == static_cast<std::int64_t>(i + 1));

  const auto tail = scan_all(*store, 1000);
  REQUIRE(tail.size() == 301);
  CHECK(tail.front().seq == 1000);

  int visited = 0;
  REQUIRE(store->scan_audit(1, [&](const AuditRecord&) { return ++visited < 600; }).has_value());
  CHECK(visited == 600);
}

TEST_CASE("a stored page holds each record's columns as stored, the body as its canonical text, from from_seq") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const nlohmann::json body = {{"syfte", "Utredning av rätt till ekonomiskt bistånd"},
                               {"quote", "a \"b\" \\ c\n"},
                               {"amount_ore", -125000},
                               {"nested", {{"z", true}, {"a", nullptr}}}};
  std::vector<AuditRecord> batch;
  for (std::int64_t seq = 1; seq <= 25; ++seq) batch.push_back(audit_record(seq, seq == 12 ? body : Json{{"n", seq}}));
  REQUIRE(store->append_audit(batch).has_value());

  knutpunkt::StoredAuditPage page;
  REQUIRE(store->read_stored_audit_page(10, 4, page).has_value());
  REQUIRE(page.size() == 4);
  for (std::size_t i = 0; i < page.size(); ++i) CHECK(page[i].seq == static_cast<std::int64_t>(10 + i));
  const knutpunkt::StoredAuditRecord twelfth = page[2];
  CHECK(twelfth.recorded_at == "2025-06-15T10:00:00.000Z");
  CHECK(twelfth.kind == "lookup");
  // The text record_hash hashes: keys sorted, no spaces, UTF-8 as is, minimal escapes.
  CHECK(twelfth.body == body.dump());
  CHECK(twelfth.prev_hash == "prev12");
  CHECK(twelfth.hash == "hash12");
  CHECK(page[0].body == R"({"n":10})");

  // The same page read again replaces what it held; a short page is the end of the log.
  REQUIRE(store->read_stored_audit_page(23, 4, page).has_value());
  REQUIRE(page.size() == 3);
  CHECK(page[0].seq == 23);
  CHECK(page[2].seq == 25);
  CHECK(page[2].hash == "hash25");
  REQUIRE(store->read_stored_audit_page(26, 4, page).has_value());
  CHECK(page.empty());
}

TEST_CASE("appends from one thread and scans from another do not interfere") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  // Catch2 assertions are not thread-safe: the writer counts its failures instead.
  int failed_appends = 0;
  std::thread writer([&] {
    for (std::int64_t seq = 1; seq <= 200; ++seq) failed_appends += store->append_audit({audit_record(seq)}) ? 0 : 1;
  });
  for (int i = 0; i < 50; ++i) {
    const auto seen = scan_all(*store);
    for (std::size_t j = 0; j < seen.size(); ++j) REQUIRE(seen[j].seq == static_cast<std::int64_t>(j + 1));
  }
  writer.join();
  CHECK(failed_appends == 0);
  CHECK(scan_all(*store).size() == 200);
}

TEST_CASE("records appended are visible to a second connection opened afterwards") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  REQUIRE(store->append_audit({audit_record(1), audit_record(2)}).has_value());
  store.reopen();
  CHECK(scan_all(*store).size() == 2);
}

TEST_CASE("each filter alone finds exactly its records, newest first") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
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
  STORE_BACKEND(backend);
  BackendStore store(backend);
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
  STORE_BACKEND(backend);
  BackendStore store(backend);
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
  STORE_BACKEND(backend);
  BackendStore store(backend);
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
  STORE_BACKEND(backend);
  BackendStore store(backend);
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
  STORE_BACKEND(backend);
  BackendStore store(backend);
  std::vector<AuditRecord> batch;
  for (int i = 1; i <= 1300; ++i) batch.push_back(rec(i, "lookup", lookup(kAnna, i % 2 ? "EB-odd" : "EB-even", "hw")));
  REQUIRE(store->append_audit(batch).has_value());
  AuditQuery q;
  q.case_id = "EB-odd";
  q.limit = 3;  // scans are not limited
  std::vector<std::int64_t> oldest, newest;
  REQUIRE(store
              ->scan_audit_index(q, true,
                                 [&](const IndexedAuditRecord& r) {
                                   oldest.push_back(r.record.seq);
                                   return true;
                                 })
              .has_value());
  REQUIRE(store
              ->scan_audit_index(q, false,
                                 [&](const IndexedAuditRecord& r) {
                                   newest.push_back(r.record.seq);
                                   return true;
                                 })
              .has_value());
  REQUIRE(oldest.size() == 650);
  CHECK(oldest.front() == 1);
  CHECK(oldest.back() == 1299);
  CHECK(std::is_sorted(oldest.begin(), oldest.end()));
  CHECK(std::vector<std::int64_t>(newest.rbegin(), newest.rend()) == oldest);

  q.before_seq = 101;
  int visited = 0;
  std::int64_t last = 0;
  REQUIRE(store
              ->scan_audit_index(q, true,
                                 [&](const IndexedAuditRecord& r) {
                                   last = r.record.seq;
                                   return ++visited < 10;
                                 })
              .has_value());
  CHECK(visited == 10);
  CHECK(last == 19);
  std::vector<std::int64_t> bounded;
  REQUIRE(store
              ->scan_audit_index(q, true,
                                 [&](const IndexedAuditRecord& r) {
                                   bounded.push_back(r.record.seq);
                                   return true;
                                 })
              .has_value());
  CHECK(bounded.size() == 50);
  CHECK(bounded.back() == 99);
}

TEST_CASE("time bounds hold even when the clock was set back between records") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
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

TEST_CASE("an empty log has no last record, no seq range, no checkpoint and no search results") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  CHECK(store->last_audit_record().value() == std::nullopt);
  CHECK(store->audit_seq_range("", "").value() == std::nullopt);
  CHECK(store->latest_audit_checkpoint().value() == std::nullopt);
  CHECK(search(*store, AuditQuery{}).empty());
  CHECK(scan_all(*store).empty());
}

TEST_CASE("retention removes the records through the checkpoint and their index rows, and keeps the checkpoint") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  seed(*store);
  using knutpunkt::AuditCheckpoint;
  using knutpunkt::store_write::RemoveAuditThrough;
  const AuditCheckpoint first{3, "h3", 3, "2026-02-01T00:00:00.000Z", "2026-03-02T02:00:00.000Z", "key-1", "ab12"};
  auto ok = store->commit({rec(8, "audit.retention_applied", {{"through_seq", 3}}, "2026-03-02T02:00:00.000Z")},
                          {RemoveAuditThrough{first}});
  INFO((ok ? std::string() : ok.error().code + ": " + ok.error().message));
  REQUIRE(ok.has_value());

  std::vector<std::int64_t> remaining;
  for (const auto& r : scan_all(*store)) remaining.push_back(r.seq);
  CHECK(remaining == std::vector<std::int64_t>{4, 5, 6, 7, 8});
  CHECK(search(*store, AuditQuery{}) == std::vector<std::int64_t>{8, 7, 6, 5, 4});
  // Anna's lookup of seq 2 and the registration of seq 1 are gone from the index too.
  CHECK(search(*store, by([](AuditQuery& q) { q.person_id = kAnna; })) == std::vector<std::int64_t>{7});
  CHECK(search(*store, by([](AuditQuery& q) { q.person_id = kBo; })).empty());
  CHECK(**store->audit_seq_range("", "") == std::pair<std::int64_t, std::int64_t>{4, 8});

  auto checkpoint = store->latest_audit_checkpoint();
  REQUIRE(checkpoint.has_value());
  REQUIRE(checkpoint->has_value());
  CHECK((*checkpoint)->through_seq == 3);
  CHECK((*checkpoint)->through_hash == "h3");
  CHECK((*checkpoint)->removed_records == 3);
  CHECK((*checkpoint)->removed_before == "2026-02-01T00:00:00.000Z");
  CHECK((*checkpoint)->created_at == "2026-03-02T02:00:00.000Z");
  CHECK((*checkpoint)->key_id == "key-1");
  CHECK((*checkpoint)->signature == "ab12");

  // A later run: the newest checkpoint is the one read.
  const AuditCheckpoint second{6, "h6", 3, "2026-02-04T00:00:00.000Z", "2026-03-03T02:00:00.000Z", "key-2", "cd34"};
  REQUIRE(store
              ->commit({rec(9, "audit.retention_applied", {{"through_seq", 6}}, "2026-03-03T02:00:00.000Z")},
                       {RemoveAuditThrough{second}})
              .has_value());
  CHECK(store->latest_audit_checkpoint().value()->through_seq == 6);
  CHECK(store->latest_audit_checkpoint().value()->key_id == "key-2");
  CHECK(scan_all(*store).front().seq == 7);
  CHECK(store->last_audit_record().value()->seq == 9);
}

TEST_CASE("a scan holds no lock while its visitor runs: the visitor may commit, and the scan goes on") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  std::vector<AuditRecord> batch;
  for (std::int64_t seq = 1; seq <= 5; ++seq) batch.push_back(rec(seq, "lookup", lookup(kAnna, "EB-1", "hw")));
  REQUIRE(store->append_audit(batch).has_value());
  std::int64_t next = 6;
  int visited = 0;
  bool committed = true;
  // A verifier that records what it found as it goes, as a long verification may.
  REQUIRE(store
              ->scan_audit(1,
                           [&](const AuditRecord&) {
                             ++visited;
                             if (next <= 7)
                               committed =
                                   committed && store->append_audit({rec(next++, "audit.verified", {})}).has_value();
                             return visited < 5;
                           })
              .has_value());
  CHECK(committed);
  CHECK(visited == 5);
  AuditQuery q;
  q.case_id = "EB-1";
  REQUIRE(store
              ->scan_audit_index(q, true,
                                 [&](const IndexedAuditRecord&) {
                                   if (next <= 9)
                                     committed = committed &&
                                                 store->append_audit({rec(next++, "audit.verified", {})}).has_value();
                                   return true;
                                 })
              .has_value());
  CHECK(committed);
  CHECK(store->last_audit_record().value()->seq == 9);
}
