// What a request brings that is not UTF-8 must not make its audit record unencodable: a refusal
// that cannot be recorded is a refusal no auditor sees. AuditLog::append escapes it
// (audit/canonical_json.h, escape_utf8), and the chain still verifies.
#include <catch2/catch.hpp>

#include "audit/audit_log.h"
#include "audit/audit_verifier.h"
#include "audit/canonical_json.h"
#include "audit_test_support.h"

using namespace audit_test;

TEST_CASE("a record whose body holds bytes that are not UTF-8 is committed with them escaped, and the chain verifies") {
  TempDir dir;
  auto store = open_store(dir.path / "k.db");
  auto log = knutpunkt::AuditLog::open(*store);
  REQUIRE(log.has_value());
  const std::string bad_name = "\xff\xc0";
  const nlohmann::json body = {{"query", bad_name + "=1"},
                               {"invalid_params", {{{"name", bad_name}, {"code", "unknown_parameter"}}}},
                               {bad_name, "a key too"}};
  auto receipt = append_and_wait(**log, "event_feed.refused", body);
  REQUIRE(receipt.has_value());
  (*log)->stop();

  std::vector<knutpunkt::AuditRecord> records;
  REQUIRE(store
              ->scan_audit(1,
                           [&](const knutpunkt::AuditRecord& r) {
                             records.push_back(r);
                             return true;
                           })
              .has_value());
  REQUIRE(records.size() == 1);
  const nlohmann::json& stored = records[0].body;
  // What was sent reads back exactly from what the record says.
  CHECK(knutpunkt::unescape_utf8(stored["query"].get<std::string>()) == bad_name + "=1");
  CHECK(knutpunkt::unescape_utf8(stored["invalid_params"][0]["name"].get<std::string>()) == bad_name);
  CHECK(stored.contains(knutpunkt::escape_utf8(bad_name)));
  auto report = knutpunkt::verify_chain(*store);
  REQUIRE(report.has_value());
  CHECK(report->intact());
  CHECK(report->records == 1);
}
