// The verifier's walk over pages: records read a page at a time, hashed on worker threads as
// stored, the links checked in seq order. Small pages here, so a log of a few thousand records
// spans hundreds of pages and every worker takes some.
#include <catch2/catch.hpp>

#include "audit/audit_chain.h"
#include "audit/audit_verifier.h"
#include "audit_test_support.h"
#include "forwarding_store.h"

using namespace audit_test;
using knutpunkt::verify_chain;
using knutpunkt::VerifyOptions;

namespace {

// A chain of `count` records written straight through Store::commit, hashed by record_hash:
// the quick way to a long log.
void write_long_chain(knutpunkt::Store& store, int count) {
  std::string prev = knutpunkt::genesis_hash();
  std::vector<knutpunkt::AuditRecord> batch;
  for (int seq = 1; seq <= count; ++seq) {
    knutpunkt::AuditRecord r{
        seq, "2026-01-05T08:00:00.000Z", "lookup", {{"case", "C-" + std::to_string(seq)}, {"n", seq}}, prev, {}};
    r.hash = prev = *knutpunkt::record_hash(r);
    batch.push_back(std::move(r));
    if (batch.size() == 1000 || seq == count) {
      REQUIRE(store.commit(batch, {}).has_value());
      batch.clear();
    }
  }
}

struct LongLog {
  TempDir dir;
  std::filesystem::path file = dir.path / "k.db";
  explicit LongLog(int count) {
    auto store = open_store(file);
    write_long_chain(*store, count);
  }
  knutpunkt::VerifyReport verify(const VerifyOptions& options) {
    auto store = open_store(file);
    auto report = verify_chain(*store, std::nullopt, options);
    REQUIRE(report.has_value());
    return *report;
  }
};

VerifyOptions small_pages(std::size_t rows, unsigned workers = 4, std::size_t in_flight = 6) {
  VerifyOptions o;
  o.page_rows = rows;
  o.hash_workers = workers;
  o.pages_in_flight = in_flight;
  return o;
}

// Fails every read of a page that starts past `fail_from`.
class FailingPages : public ForwardingStore {
 public:
  FailingPages(knutpunkt::Store& inner, std::int64_t fail_from) : ForwardingStore(inner), fail_from_(fail_from) {}
  std::expected<void, knutpunkt::StoreError> read_stored_audit_page(std::int64_t from, std::size_t max_rows,
                                                                    knutpunkt::StoredAuditPage& page) override {
    if (from > fail_from_) return std::unexpected(knutpunkt::StoreError{"sqlite_error", "disk I/O error"});
    return ForwardingStore::read_stored_audit_page(from, max_rows, page);
  }

 private:
  std::int64_t fail_from_;
};

}  // namespace

TEST_CASE("a one-byte edit of a body in the middle of a many-page log is named by its seq, pages hashed on workers") {
  LongLog log(3000);
  const auto options = small_pages(16);
  REQUIRE(problem(log.verify(options)) == "intact");
  // Pages start at seq 1, 17, 33, ...: 1761 begins one, 1760 ends the one before.
  std::int64_t seq = 0;
  SECTION("inside a page") {
    seq = 1780;
  }
  SECTION("first of a page") {
    seq = 1761;
  }
  SECTION("last of a page") {
    seq = 1760;
  }
  const std::string n = std::to_string(seq);
  // "n":1780 -> "n":1781: one byte of the stored text.
  const std::string edited = std::to_string(seq + 1);
  tamper(log.file,
         "UPDATE audit_log SET body = replace(body, '\"n\":" + n + "', '\"n\":" + edited + "') WHERE seq = " + n);
  const auto report = log.verify(options);
  CHECK(problem(report) == "changed@" + n);
  CHECK(report.records == seq - 1);
  REQUIRE(report.first_problem);
  CHECK(report.first_problem->detail == "the content does not match its hash");
}

TEST_CASE(
    "a body stored as other text with the same JSON meaning is reported changed: its bytes are not the ones hashed") {
  LongLog log(40);
  std::string rewritten;
  SECTION("keys in another order") {
    rewritten = R"({"n":7,"case":"C-7"})";
  }
  SECTION("a space after a colon") {
    rewritten = R"({"case": "C-7","n":7})";
  }
  SECTION("a character written as a \\u escape") {
    rewritten = R"({"case":"\u0043-7","n":7})";
  }
  tamper(log.file, "UPDATE audit_log SET body = '" + rewritten + "' WHERE seq = 7");
  const auto report = log.verify(small_pages(4));
  CHECK(problem(report) == "changed@7");
  CHECK(report.records == 6);
  REQUIRE(report.first_problem);
  CHECK(report.first_problem->detail.find("same JSON meaning") != std::string::npos);
}

TEST_CASE("the pages the walk holds stay within its bound whatever the log's size") {
  const auto options = small_pages(8, 3, 5);
  LongLog small(200);
  LongLog large(4000);
  const auto few = small.verify(options);
  const auto many = large.verify(options);
  CHECK(few.records == 200);
  CHECK(many.records == 4000);
  CHECK(few.peak_pages_held <= 5);
  CHECK(many.peak_pages_held <= 5);
  CHECK(many.peak_pages_held >= 1);

  // The default bound: two pages per worker, one being read and one being checked.
  const auto defaults = large.verify(small_pages(8, 2, 0));
  CHECK(defaults.records == 4000);
  CHECK(defaults.peak_pages_held <= 6);
}

TEST_CASE("removals, renumbering and insertions are named alike whatever the page size") {
  LongLog log(60);
  std::string sql;
  std::string expected;
  SECTION("a removed record") {
    sql = "DELETE FROM audit_log WHERE seq = 33";
    expected = "removed@33";
  }
  SECTION("removed records with the rest renumbered") {
    sql = "DELETE FROM audit_log WHERE seq IN (32, 33); " + renumber_from(34, -2);
    expected = "removed@32";
  }
  SECTION("an inserted record with the rest renumbered") {
    auto store = open_store(log.file);
    std::optional<knutpunkt::AuditRecord> before;
    REQUIRE(store->scan_audit(32, [&](const knutpunkt::AuditRecord& r) { return before = r, false; }).has_value());
    REQUIRE(before);
    knutpunkt::AuditRecord forged{33, before->recorded_at, "lookup", {{"case", "C-forged"}}, before->hash, {}};
    forged.hash = *knutpunkt::record_hash(forged);
    sql = renumber_from(33, 1) + "INSERT INTO audit_log VALUES (33, '" + forged.recorded_at + "', 'lookup', '" +
          forged.body.dump() + "', '" + forged.prev_hash + "', '" + forged.hash + "')";
    expected = "inserted@33";
  }
  tamper(log.file, sql);
  for (std::size_t rows : {1, 2, 3, 4, 8, 32, 2048}) {
    INFO("page rows " << rows);
    CHECK(problem(log.verify(small_pages(rows, 2, 3))) == expected);
  }
}

TEST_CASE("a read that fails partway is an error, unless a problem was named before it") {
  LongLog log(500);
  SECTION("an intact start: the error") {
    auto store = open_store(log.file);
    FailingPages failing(*store, 100);
    auto report = verify_chain(failing, std::nullopt, small_pages(16));
    REQUIRE_FALSE(report.has_value());
    CHECK(report.error().code == "sqlite_error");
  }
  SECTION("a changed record before the failing page: the verdict") {
    tamper(log.file, R"(UPDATE audit_log SET body = '{"case":"C-50","n":51}' WHERE seq = 50)");
    auto store = open_store(log.file);
    FailingPages failing(*store, 100);
    auto report = verify_chain(failing, std::nullopt, small_pages(16));
    REQUIRE(report.has_value());
    CHECK(problem(*report) == "changed@50");
  }
}
