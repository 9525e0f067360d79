#include "audit/audit_chain.h"

#include <catch2/catch.hpp>

#include "core/digest.h"

using knutpunkt::AuditRecord;
using knutpunkt::genesis_hash;
using knutpunkt::record_hash;

namespace {
AuditRecord sample() {
  return AuditRecord{7, "2025-06-15T10:00:00.123Z", "lookup", {{"case", "C-1"}, {"b", {1, 2}}}, genesis_hash(), {}};
}
}  // namespace

TEST_CASE("the genesis hash is 64 zeros") {
  CHECK(genesis_hash() == std::string(64, '0'));
}

TEST_CASE("a record hash is SHA-256 of prev_hash, a newline and the canonical record") {
  const AuditRecord r = sample();
  const nlohmann::json whole = {{"seq", r.seq}, {"recorded_at", r.recorded_at}, {"kind", r.kind}, {"body", r.body}};
  const std::string expected = knutpunkt::sha256_hex(r.prev_hash + "\n" + whole.dump());
  REQUIRE(record_hash(r).has_value());
  CHECK(*record_hash(r) == expected);
  CHECK(record_hash(r)->size() == 64);
}

TEST_CASE("every hashed field changes the record hash, and the stored hash itself does not") {
  const std::string base = *record_hash(sample());
  AuditRecord r = sample();
  r.seq = 8;
  CHECK(*record_hash(r) != base);
  r = sample();
  r.recorded_at = "2025-06-15T10:00:00.124Z";
  CHECK(*record_hash(r) != base);
  r = sample();
  r.kind = "lookup2";
  CHECK(*record_hash(r) != base);
  r = sample();
  r.body["case"] = "C-2";
  CHECK(*record_hash(r) != base);
  r = sample();
  r.prev_hash = std::string(63, '0') + "1";
  CHECK(*record_hash(r) != base);
  r = sample();
  r.hash = "anything";
  CHECK(*record_hash(r) == base);
}

TEST_CASE("a record whose body has a float has no hash") {
  AuditRecord r = sample();
  r.body["amount"] = 0.5;
  auto hash = record_hash(r);
  REQUIRE_FALSE(hash.has_value());
  CHECK(hash.error().code == "float_not_allowed");
}
