#pragma once
// Everything a store holds of one kind, read back through the Store interface as a list, for
// tests to compare: the audit log from a seq on, and the messages still to deliver.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "store/store.h"

namespace knutpunkt::test_support {

inline std::vector<AuditRecord> scan_all(Store& store, std::int64_t from = 1) {
  std::vector<AuditRecord> out;
  auto ok = store.scan_audit(from, [&](const AuditRecord& r) {
    out.push_back(r);
    return true;
  });
  REQUIRE(ok.has_value());
  return out;
}

// Every message scan_undelivered_messages finds, as it finds them.
inline std::vector<OutboxMessage> undelivered(Store& store) {
  std::vector<OutboxMessage> out;
  REQUIRE(store
              .scan_undelivered_messages([&](const OutboxMessage& m) {
                out.push_back(m);
                return true;
              })
              .has_value());
  return out;
}

}  // namespace knutpunkt::test_support
