#pragma once
// What the store conformance suites build their commits from, so that every suite seals, commits
// and reads back the same way: a sealed audit record, a case event for the feed, a commit that
// must succeed (naming the store's error if it does not), and the whole audit log read back.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"
#include "store_reads.h"

namespace knutpunkt::conformance {

// A record as the audit chain seals it, with placeholder chain fields: the stores keep them as given.
inline AuditRecord record(std::int64_t seq, std::string kind = "test",
                          std::string recorded_at = "2026-11-24T10:00:00.000Z") {
  return AuditRecord{seq,          std::move(recorded_at),    std::move(kind),
                     {{"n", seq}}, "p" + std::to_string(seq), "h" + std::to_string(seq)};
}

inline store_write::AppendEvent event(const std::string& id, const std::string& client, int n) {
  return store_write::AppendEvent{id, client, "EB-1", "corr-1", "referral.sent", {{"event_id", id}, {"n", n}}};
}

inline void commit_ok(Store& store, const std::vector<AuditRecord>& records, const std::vector<StoreWrite>& writes) {
  auto ok = store.commit(records, writes);
  INFO((ok ? std::string() : ok.error().code + ": " + ok.error().message));
  REQUIRE(ok.has_value());
}

inline void commit_ok(Store& store, const std::vector<StoreWrite>& writes) {
  commit_ok(store, {}, writes);
}

using test_support::scan_all;

// A delivery attempt as the engine records it: a retry is due half a second after it started.
inline store_write::RecordAttempt attempt(const std::string& id, int number, MessageStatus status, int http_status,
                                          std::int64_t started, std::string error = {}) {
  DeliveryAttempt a{id,
                    number,
                    started,
                    "http://partner/in",
                    http_status,
                    25,
                    status == MessageStatus::delivered ? "delivered"
                    : status == MessageStatus::dead    ? "dead_lettered"
                                                       : "retry",
                    error};
  return store_write::RecordAttempt{a, status, status == MessageStatus::pending ? started + 500 : 0, error};
}

// A stored message, which must be there.
inline OutboxMessage read(Store& store, const std::string& id) {
  auto m = store.message(id);
  REQUIRE(m.has_value());
  REQUIRE(m->has_value());
  return **m;
}

using test_support::undelivered;

}  // namespace knutpunkt::conformance
