// A sealed commit sends its statements in a pipeline (store/postgres/pg_connection.h): only a
// few answers are waited for, so a batch holds the chain-head lock for about one round trip. The
// long batches here send more statements than the pipeline leaves unanswered at once.
#include "pg_test_database.h"

using namespace knutpunkt;
using namespace knutpunkt::test_postgres;

namespace {

OutboxMessage message(const std::string& id) {
  OutboxMessage m;
  m.id = id;
  m.destination = "jobbtorg";
  m.type = "referral.requested";
  m.ordering_key = "R-" + id;
  m.client_id = "client-a";
  m.case_id = "EB-1";
  m.payload = {{"id", id}};
  m.created_at_ms = 1000;
  m.next_attempt_at_ms = 1000;
  return m;
}

// An acceptance: its record, its idempotency key and its message (three or more statements).
CommitEntry acceptance(int n, const std::string& message_id) {
  return CommitEntry{
      AuditRecord{0, "2026-12-06T12:00:00.000Z", "referral.accepted", {{"n", n}}, "", ""},
      {store_write::PutIdempotency{IdempotencyRecord{"client-a", "key-" + std::to_string(n), "h", 202, "{}", "t"}},
       store_write::EnqueueMessage{message(message_id)}},
      std::nullopt,
      {}};
}

}  // namespace

TEST_CASE("a batch sending more statements than the pipeline leaves unanswered commits whole and in order") {
  const std::string db = fresh_database();
  auto store = open_store(db, /*pool_size=*/1);
  std::vector<CommitEntry> batch;
  for (int i = 0; i < 400; ++i) batch.push_back(acceptance(i, "m-" + std::to_string(i)));
  // The same key again, late in the batch: refused alone, as if checked after the inserts before it.
  batch.push_back(acceptance(7, "m-again"));
  REQUIRE(store->commit_sealed(batch, seal_after).has_value());
  for (int i = 0; i < 400; ++i) {
    REQUIRE_FALSE(batch[static_cast<std::size_t>(i)].refused);
    CHECK(batch[static_cast<std::size_t>(i)].record.seq == i + 1);
  }
  REQUIRE(batch.back().refused);
  CHECK(batch.back().refused->code == "conflict");
  CHECK(sql(db, "SELECT count(*) FROM audit_log") == "400");
  CHECK(sql(db, "SELECT count(*) FROM idempotency_key") == "400");
  CHECK(sql(db, "SELECT count(*) FROM outbox") == "400");
  CHECK(sql(db, "SELECT seq FROM audit_head") == "400");
  CHECK(sql(db, "SELECT count(*) FROM outbox WHERE id = 'm-again'") == "0");
}

TEST_CASE(
    "a statement failing deep in a pipelined batch stores nothing, names its failure, and the connection goes on") {
  const std::string db = fresh_database();
  // One connection: the next commit runs on the very connection the failed pipeline used.
  auto store = open_store(db, /*pool_size=*/1);
  std::vector<CommitEntry> first{acceptance(0, "m-taken")};
  REQUIRE(store->commit_sealed(first, seal_after).has_value());

  std::vector<CommitEntry> failing;
  for (int i = 1; i < 300; ++i) failing.push_back(acceptance(i, "m-" + std::to_string(i)));
  // A message id is not a refusable key: storing it again fails the whole batch.
  failing.push_back(acceptance(300, "m-taken"));
  for (int i = 301; i < 320; ++i) failing.push_back(acceptance(i, "m-" + std::to_string(i)));
  auto failed = store->commit_sealed(failing, seal_after);
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == "postgresql_error");
  CHECK(failed.error().message.find("23505") != std::string::npos);
  CHECK(failed.error().message.find("not run") == std::string::npos);
  CHECK(sql(db, "SELECT count(*) FROM audit_log") == "1");
  CHECK(sql(db, "SELECT count(*) FROM outbox") == "1");

  std::vector<CommitEntry> next{acceptance(1, "m-1")};
  REQUIRE(store->commit_sealed(next, seal_after).has_value());
  CHECK(next[0].record.seq == 2);
  CHECK(sql(db, "SELECT count(*) FROM audit_log") == "2");
  auto read = store->message("m-1");
  REQUIRE(read.has_value());
  CHECK(read->has_value());
}
