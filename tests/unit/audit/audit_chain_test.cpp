#include "audit/audit_chain.h"

#include <catch2/catch.hpp>

#include "audit/stored_record_hasher.h"
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

TEST_CASE("the hash of a record as stored is record_hash's, for kinds, times and bodies of every shape") {
  knutpunkt::StoredRecordHasher hasher;
  const std::vector<nlohmann::json> bodies = {
      nlohmann::json::object(),
      {{"case", "C-1"}, {"b", {1, 2}}},
      {{"syfte", "Utredning av rätt till ekonomiskt bistånd"}, {"ore", -125000}, {"big", 18446744073709551615ULL}},
      {{"text", "quote \" backslash \\ tab \t newline \n bell \x07 del \x7f"},
       {"nested", {{"z", true}, {"a", nullptr}}}},
      {{"\xEF\xBF\xBD\\xff", "escaped key"}, {"list", nlohmann::json::array({"x", 1, false})}}};
  const std::vector<std::string> kinds = {"lookup", "audit.retention_applied", "typ \"citat\" \\ och \n rad", "åtgärd"};
  const std::vector<std::string> times = {"2025-06-15T10:00:00.123Z", "2025\t06"};
  for (const auto& body : bodies) {
    for (const auto& kind : kinds) {
      for (const auto& at : times) {
        for (std::int64_t seq : {std::int64_t{1}, std::int64_t{1234567890123}}) {
          const AuditRecord r{seq, at, kind, body, genesis_hash(), {}};
          const std::string text = *knutpunkt::canonical_json(body);
          const knutpunkt::StoredAuditRecord stored{seq, at, kind, text, r.prev_hash, ""};
          const auto expected = record_hash(r);
          const auto got = hasher.hash(stored, seq);
          REQUIRE(expected.has_value());
          REQUIRE(got.has_value());
          CHECK(std::string(got->data(), got->size()) == *expected);
        }
      }
    }
  }
}

TEST_CASE("a kind that is not UTF-8 has no hash as stored either") {
  knutpunkt::StoredRecordHasher hasher;
  const knutpunkt::StoredAuditRecord stored{1, "2025-06-15T10:00:00.123Z", "look\xffup", "{}", genesis_hash(), ""};
  const auto got = hasher.hash(stored, 1);
  REQUIRE_FALSE(got.has_value());
  CHECK(got.error().code == "invalid_utf8");
}
