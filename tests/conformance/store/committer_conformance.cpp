// Committer on every backend: a batch of records and writes is stored whole or not at all,
// commit_sealed chains each entry after the true tip read inside the transaction and refuses an
// entry whose key is stored already, alone, and what was
// committed is still there when the storage is opened again.
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "conformance_support.h"
#include "store_backends.h"

using namespace knutpunkt;
using knutpunkt::conformance::attempt;
using knutpunkt::conformance::BackendStore;
using knutpunkt::conformance::commit_ok;
using knutpunkt::conformance::event;
using knutpunkt::conformance::read;
using knutpunkt::conformance::record;
using knutpunkt::conformance::scan_all;
using knutpunkt::conformance::undelivered;

namespace {

// A record to be sealed: no chain fields yet.
AuditRecord unsealed(const std::string& kind, int n) {
  return AuditRecord{0, "2026-11-24T10:00:00.000Z", kind, {{"n", n}}, "", ""};
}

OutboxMessage referral_message(const std::string& id) {
  OutboxMessage m;
  m.id = id;
  m.destination = "jobbtorg";
  m.type = "referral.requested";
  m.ordering_key = "R-1";
  m.client_id = "client-a";
  m.case_id = "EB-" + id;
  m.payload = {{"id", id}, {"text", "Söderort"}};
  m.created_at_ms = 1000;
  m.next_attempt_at_ms = 1000;
  return m;
}

std::size_t audit_count(Store& store) {
  return scan_all(store).size();
}

// A seal as the audit chain does it, in outline: the record follows the tip. It remembers the
// tips it was handed, one per sealed record.
struct RecordingSeal {
  std::vector<std::optional<AuditChainTip>> tips;
  AuditSeal seal() {
    return [this](AuditRecord& record, const std::optional<AuditChainTip>& tip) {
      tips.push_back(tip);
      record.seq = tip ? tip->seq + 1 : 1;
      record.prev_hash = tip ? tip->hash : "genesis";
      record.hash = "sealed-" + std::to_string(record.seq) + "-after-" + record.prev_hash;
    };
  }
};

CommitEntry entry(const std::string& kind, int n, std::vector<StoreWrite> writes = {}) {
  return CommitEntry{unsealed(kind, n), std::move(writes), std::nullopt, {}};
}

void commit_sealed_ok(Store& store, std::vector<CommitEntry>& entries, RecordingSeal& seal) {
  auto ok = store.commit_sealed(entries, seal.seal());
  INFO((ok ? std::string() : ok.error().code + ": " + ok.error().message));
  REQUIRE(ok.has_value());
}

// Every record's prev_hash is the hash of the record before it, and seqs run without gaps.
void check_one_chain(const std::vector<AuditRecord>& chain) {
  for (std::size_t i = 1; i < chain.size(); ++i) {
    INFO("seq " << chain[i].seq);
    CHECK(chain[i].seq == chain[i - 1].seq + 1);
    CHECK(chain[i].prev_hash == chain[i - 1].hash);
  }
}

}  // namespace

TEST_CASE("a batch whose last write violates a unique key stores nothing, not even its audit records") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const IdempotencyRecord key{"client-a", "key-1", "hash", 201, "{\"ok\":true}", "2026-11-24T10:00:00Z"};
  commit_ok(*store, {record(1)}, {store_write::PutIdempotency{key}});

  auto refused = store->commit(
      {record(2), record(3)},
      {store_write::EnqueueMessage{referral_message("m-1")}, event("e-1", "client-a", 1),
       store_write::PutReferral{
           ReferralRecord{"R-1", "client-a", "EB-1", "jobbtorg", "191212121212", false, "2026-11-24", {}}},
       store_write::PutInboundReceipt{"jobbtorg", "x-1", "R-1", "2026-11-24"}, store_write::PutIdempotency{key}});
  REQUIRE_FALSE(refused.has_value());
  CHECK(audit_count(*store) == 1);
  CHECK_FALSE(store->message("m-1")->has_value());
  CHECK(store->events_after("client-a", 0, 10)->empty());
  CHECK_FALSE(store->referral("R-1")->has_value());
  CHECK_FALSE(*store->inbound_seen("jobbtorg", "x-1"));
  CHECK((*store->idempotency("client-a", "key-1"))->http_status == 201);

  // The store is usable afterwards and the same batch without the conflict goes through.
  commit_ok(*store, {record(2)}, {store_write::EnqueueMessage{referral_message("m-1")}});
  CHECK(audit_count(*store) == 2);
  CHECK(store->message("m-1")->has_value());
}

TEST_CASE("a batch is atomic: one conflicting record stores none of the batch") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  REQUIRE(store->append_audit({record(1)}).has_value());
  auto failed = store->append_audit({record(2), record(3), record(1)});
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == store.database_error_code());
  CHECK(audit_count(*store) == 1);
  // The store is usable after the failure (the transaction was rolled back).
  REQUIRE(store->append_audit({record(2), record(3)}).has_value());
  CHECK(audit_count(*store) == 3);
}

TEST_CASE("an empty batch is no error and stores nothing") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  CHECK(store->commit({}, {}).has_value());
  std::vector<CommitEntry> none;
  RecordingSeal seal;
  CHECK(store->commit_sealed(none, seal.seal()).has_value());
  CHECK(seal.tips.empty());
  CHECK(audit_count(*store) == 0);
}

TEST_CASE("writes apply in their order within a batch: a later write sees an earlier one") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  ManualItem item;
  item.item_id = "item-1";
  item.kind = "referral";
  item.reference = "R-1";
  item.created_at = "2026-11-01T10:00:00.000Z";
  commit_ok(*store, {record(1)},
            {store_write::EnqueueMessage{referral_message("m-1")},
             attempt("m-1", 1, MessageStatus::dead, 400, 2000, "http_400"), store_write::PutManualItem{item},
             store_write::ResolveManualItem{"item-1", "2026-11-01T11:00:00.000Z", "operator", "ringde"}});
  CHECK(read(*store, "m-1").status == MessageStatus::dead);
  CHECK(store->attempts("m-1")->size() == 1);
  CHECK(store->manual_item("item-1").value()->status == "resolved");
}

TEST_CASE("commit_sealed hands the seal no tip on an empty log and stores what the seal assigned") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  RecordingSeal seal;
  std::vector<CommitEntry> batch = {entry("lookup", 1, {store_write::EnqueueMessage{referral_message("m-1")}}),
                                    entry("referral.accepted", 2)};
  commit_sealed_ok(*store, batch, seal);
  REQUIRE(seal.tips.size() == 2);
  CHECK_FALSE(seal.tips[0].has_value());
  // The second record is sealed after the first: the tip moves on within the batch.
  REQUIRE(seal.tips[1].has_value());
  CHECK(seal.tips[1]->seq == 1);
  CHECK(seal.tips[1]->hash == batch[0].record.hash);

  // The caller's entries carry the sealed fields, and the store holds exactly those.
  CHECK(batch[0].record.seq == 1);
  CHECK(batch[0].record.prev_hash == "genesis");
  CHECK(batch[1].record.seq == 2);
  CHECK(batch[1].record.prev_hash == batch[0].record.hash);
  CHECK_FALSE(batch[0].refused.has_value());
  CHECK_FALSE(batch[1].refused.has_value());
  const auto stored = scan_all(*store);
  REQUIRE(stored.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(stored[i].seq == batch[i].record.seq);
    CHECK(stored[i].prev_hash == batch[i].record.prev_hash);
    CHECK(stored[i].hash == batch[i].record.hash);
    CHECK(stored[i].kind == batch[i].record.kind);
    CHECK(stored[i].recorded_at == batch[i].record.recorded_at);
    CHECK(stored[i].body == batch[i].record.body);
  }
  CHECK(store->message("m-1")->has_value());
}

TEST_CASE("commit_sealed stores the body text it is given byte for byte, and encodes a body given none") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  RecordingSeal seal;
  std::vector<CommitEntry> batch = {entry("lookup", 1), entry("lookup", 2)};
  // The same JSON in a spelling the store would never write itself: only the given bytes can
  // come back like this. The audit log gives the text its hash covered.
  batch[0].canonical_body = R"({"n": 1})";
  commit_sealed_ok(*store, batch, seal);
  StoredAuditPage page;
  REQUIRE(store->read_stored_audit_page(1, 10, page).has_value());
  REQUIRE(page.size() == 2);
  CHECK(page[0].body == R"({"n": 1})");
  CHECK(page[1].body == R"({"n":2})");
}

TEST_CASE("commit_sealed hands the seal the last record as the tip, however it was committed") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  // Committed with its chain fields as given: seq 41 after a retention run, say.
  commit_ok(*store, {record(40), record(41)}, {});
  RecordingSeal seal;
  std::vector<CommitEntry> first = {entry("lookup", 1)};
  commit_sealed_ok(*store, first, seal);
  std::vector<CommitEntry> second = {entry("lookup", 2), entry("lookup", 3)};
  commit_sealed_ok(*store, second, seal);

  REQUIRE(seal.tips.size() == 3);
  REQUIRE(seal.tips[0].has_value());
  CHECK(seal.tips[0]->seq == 41);
  CHECK(seal.tips[0]->hash == "h41");
  REQUIRE(seal.tips[1].has_value());
  CHECK(seal.tips[1]->seq == 42);
  CHECK(seal.tips[1]->hash == first[0].record.hash);

  const auto last = store->last_audit_record().value();
  REQUIRE(last.has_value());
  CHECK(last->seq == 44);
  CHECK(last->hash == second[1].record.hash);
  CHECK(last->prev_hash == second[0].record.hash);
}

TEST_CASE("a failing write rolls back sealed records too, and the next batch is sealed after the same tip") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  RecordingSeal seal;
  std::vector<CommitEntry> first = {entry("lookup", 1, {store_write::EnqueueMessage{referral_message("m-1")}})};
  commit_sealed_ok(*store, first, seal);

  // The second entry's message id is taken: not a refusable key, so the whole batch fails,
  // the first entry's sealed record with it.
  std::vector<CommitEntry> failing = {entry("lookup", 2, {event("e-1", "client-a", 1)}),
                                      entry("lookup", 3, {store_write::EnqueueMessage{referral_message("m-1")}})};
  auto failed = store->commit_sealed(failing, seal.seal());
  REQUIRE_FALSE(failed.has_value());
  // The records were sealed (the caller sees the fields it tried) but none was stored.
  CHECK(failing[0].record.seq == 2);
  CHECK(audit_count(*store) == 1);
  CHECK(store->last_audit_record().value()->hash == first[0].record.hash);
  CHECK(store->events_after("client-a", 0, 10)->empty());
  CHECK(store->search_audit(AuditQuery{}).value().size() == 1);

  std::vector<CommitEntry> retried = {entry("lookup", 2, {event("e-1", "client-a", 1)})};
  commit_sealed_ok(*store, retried, seal);
  REQUIRE(seal.tips.back().has_value());
  CHECK(seal.tips.back()->seq == 1);
  CHECK(seal.tips.back()->hash == first[0].record.hash);
  CHECK(retried[0].record.seq == 2);
  CHECK(audit_count(*store) == 2);
  CHECK(store->events_after("client-a", 0, 10)->size() == 1);
}

TEST_CASE("an entry whose key is stored already is refused alone, as a conflict, and takes no place in the chain") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(
      *store, {record(1)},
      {store_write::PutIdempotency{IdempotencyRecord{"client-a", "k", "fp", 201, "{}", "t"}},
       store_write::PutInboundReceipt{"jobbtorg", "x-1", "R-1", "t"},
       store_write::PutSipReminder{"SIP-1", "followup_due", "2027-02-20", "t"},
       store_write::PutReferralReminder{"R-1", "referral.not_enrolled", "referral", "t"},
       store_write::PutSipPlan{SipPlanRecord{
           "SIP-1", "client-a", "EB-1", "191212121212", "C-1", "initiated", 1, "t", "t", "", "", false, {{"v", 1}}}},
       store_write::EnqueueMessage{referral_message("m-1")}, attempt("m-1", 1, MessageStatus::pending, 503, 2000)});
  // Each refused entry also carries a write that would otherwise be stored: it must not be.
  const auto and_event = [](const std::string& id) -> StoreWrite { return event(id, "client-b", 1); };
  const std::vector<std::pair<std::string, StoreWrite>> conflicts = {
      {"idempotency key", store_write::PutIdempotency{IdempotencyRecord{"client-a", "k", "fp-2", 202, "{}", "t2"}}},
      {"partner's message id", store_write::PutInboundReceipt{"jobbtorg", "x-1", "R-2", "t2"}},
      {"reminder", store_write::PutSipReminder{"SIP-1", "followup_due", "2027-02-20", "t2"}},
      {"referral time limit", store_write::PutReferralReminder{"R-1", "referral.not_enrolled", "referral", "t2"}},
      {"plan version",
       store_write::PutSipPlan{SipPlanRecord{
           "SIP-1", "client-a", "EB-1", "191212121212", "C-1", "closed", 1, "t", "t2", "", "", false, {{"v", 2}}}}},
      {"attempt number", attempt("m-1", 1, MessageStatus::delivered, 200, 2100)}};
  for (const auto& [what, write] : conflicts) {
    INFO("conflicting write: " << what);
    RecordingSeal seal;
    const std::string refused_event = "refused-" + what;
    const std::string kept_event = "kept-" + what;
    std::vector<CommitEntry> batch = {entry("before", 1), entry("conflict", 2, {and_event(refused_event), write}),
                                      entry("after", 3, {and_event(kept_event)})};
    const auto tip_before = store->last_audit_record().value().value();
    commit_sealed_ok(*store, batch, seal);

    CHECK_FALSE(batch[0].refused.has_value());
    REQUIRE(batch[1].refused.has_value());
    CHECK(batch[1].refused->code == "conflict");
    CHECK_FALSE(batch[2].refused.has_value());
    // The refused entry was never sealed: the entries around it follow one another.
    CHECK(seal.tips.size() == 2);
    CHECK(batch[0].record.seq == tip_before.seq + 1);
    CHECK(batch[2].record.seq == tip_before.seq + 2);
    CHECK(batch[2].record.prev_hash == batch[0].record.hash);
    const auto last = store->last_audit_record().value().value();
    CHECK(last.seq == batch[2].record.seq);
    CHECK(last.kind == "after");
    // The refused entry's other write was not applied; the next entry's was.
    bool refused_stored = false;
    bool kept_stored = false;
    const auto events = store->events_after("client-b", 0, 100).value();
    for (const auto& e : events) {
      refused_stored = refused_stored || e.event_id == refused_event;
      kept_stored = kept_stored || e.event_id == kept_event;
    }
    CHECK_FALSE(refused_stored);
    CHECK(kept_stored);
  }
  // What was stored first is what stays.
  CHECK(store->idempotency("client-a", "k").value()->request_hash == "fp");
  CHECK(store->sip_plan_version("SIP-1", 1).value() == nlohmann::json{{"v", 1}});
  CHECK(store->attempts("m-1").value().at(0).http_status == 503);
  check_one_chain(scan_all(*store));
}

TEST_CASE("a key stored by an earlier entry of the same batch refuses a later entry with it") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const IdempotencyRecord key{"client-a", "k", "fp-1", 201, "{}", "t"};
  IdempotencyRecord again = key;
  again.request_hash = "fp-2";
  RecordingSeal seal;
  std::vector<CommitEntry> batch = {entry("first", 1, {store_write::PutIdempotency{key}}),
                                    entry("second", 2, {store_write::PutIdempotency{again}})};
  commit_sealed_ok(*store, batch, seal);
  CHECK_FALSE(batch[0].refused.has_value());
  REQUIRE(batch[1].refused.has_value());
  CHECK(batch[1].refused->code == "conflict");
  CHECK(audit_count(*store) == 1);
  CHECK(store->idempotency("client-a", "k").value()->request_hash == "fp-1");
}

TEST_CASE("two stores on the same storage append to one chain through commit_sealed without forking it") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  auto other = store.open_another();
  constexpr int kBatches = 40;
  // Catch2 assertions are not thread-safe: the writers count their failures instead.
  int failures[2] = {0, 0};
  const auto writer = [&](Store& target, int index) {
    RecordingSeal seal;
    for (int i = 0; i < kBatches; ++i) {
      std::vector<CommitEntry> batch = {entry("lookup", i), entry("lookup", i)};
      if (!target.commit_sealed(batch, seal.seal())) ++failures[index];
    }
  };
  std::thread first(writer, std::ref(*store), 0);
  std::thread second(writer, std::ref(*other), 1);
  first.join();
  second.join();
  CHECK(failures[0] == 0);
  CHECK(failures[1] == 0);

  const auto chain = scan_all(*store);
  REQUIRE(chain.size() == 4 * kBatches);
  CHECK(chain.front().seq == 1);
  CHECK(chain.front().prev_hash == "genesis");
  check_one_chain(chain);
}

TEST_CASE("two stores racing to store the same idempotency key: one entry stores it, the other is refused") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  auto other = store.open_another();
  constexpr int kKeys = 30;
  int refusals[2] = {0, 0};
  int failures[2] = {0, 0};
  const auto writer = [&](Store& target, int index) {
    RecordingSeal seal;
    for (int i = 0; i < kKeys; ++i) {
      const IdempotencyRecord key{"client-a", "k-" + std::to_string(i), "fp-" + std::to_string(index), 201, "{}", "t"};
      std::vector<CommitEntry> batch = {entry("referral.accepted", i, {store_write::PutIdempotency{key}})};
      if (!target.commit_sealed(batch, seal.seal())) {
        ++failures[index];
      } else if (batch[0].refused) {
        ++refusals[index];
      }
    }
  };
  std::thread first(writer, std::ref(*store), 0);
  std::thread second(writer, std::ref(*other), 1);
  first.join();
  second.join();
  CHECK(failures[0] == 0);
  CHECK(failures[1] == 0);
  // Every key stored once, and one record per stored key.
  CHECK(refusals[0] + refusals[1] == kKeys);
  const auto chain = scan_all(*store);
  CHECK(chain.size() == kKeys);
  check_one_chain(chain);
  for (int i = 0; i < kKeys; ++i) CHECK(store->idempotency("client-a", "k-" + std::to_string(i)).value().has_value());
}

TEST_CASE("everything committed survives closing and reopening the database") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {record(1)},
            {store_write::EnqueueMessage{referral_message("m-1")}, store_write::EnqueueMessage{referral_message("m-2")},
             event("e-1", "client-a", 1),
             store_write::PutIdempotency{IdempotencyRecord{"client-a", "k", "fp", 201, "{}", "t"}},
             store_write::PutInboundReceipt{"jobbtorg", "x", "R-1", "t"}});
  commit_ok(*store, {record(2)}, {attempt("m-1", 1, MessageStatus::dead, 400, 2000, "http_400")});
  store.reopen();
  CHECK(audit_count(*store) == 2);
  const auto list = undelivered(*store);
  REQUIRE(list.size() == 2);
  CHECK(list[0].id == "m-1");
  CHECK(list[0].status == MessageStatus::dead);
  CHECK(list[1].id == "m-2");
  CHECK(list[1].status == MessageStatus::pending);
  CHECK(read(*store, "m-2").payload["text"] == "Söderort");
  CHECK(store->attempts("m-1")->size() == 1);
  CHECK(store->events_after("client-a", 0, 10)->size() == 1);
  CHECK(store->idempotency("client-a", "k")->has_value());
  CHECK(*store->inbound_seen("jobbtorg", "x"));
  // Positions continue after the reopen.
  commit_ok(*store, {}, {store_write::EnqueueMessage{referral_message("m-3")}});
  CHECK(read(*store, "m-3").position > list[1].position);
}
