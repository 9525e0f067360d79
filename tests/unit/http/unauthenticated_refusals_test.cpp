// The aggregate of refusals of unknown callers and the per-address token bucket, on an injected
// clock: one record per address and minute, appended when the minute closes, bounded in number;
// a bucket that empties, says how long to wait, and refills.
#include "http/unauthenticated_refusals.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "http/address_rate_limit.h"
#include "store/sqlite/sqlite_store.h"

using namespace knutpunkt;
using namespace knutpunkt::http;
using namespace std::chrono_literals;

namespace {

const std::chrono::system_clock::time_point kTen = std::chrono::sys_days{std::chrono::year{2026} / 11 / 24} + 10h;

struct Log {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> audit;

  Log() {
    std::string pattern = (std::filesystem::temp_directory_path() / "knutpunkt-refusals-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    auto opened = open_sqlite_store(dir / "r.db");
    REQUIRE(opened.has_value());
    store = std::move(*opened);
    auto log = AuditLog::open(*store);
    REQUIRE(log.has_value());
    audit = std::move(*log);
  }
  ~Log() {
    audit->stop();
    audit.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }

  // What was appended, once durable.
  std::vector<nlohmann::json> appended() {
    audit->stop();
    std::vector<nlohmann::json> out;
    REQUIRE(store
                ->scan_audit(1,
                             [&](const AuditRecord& r) {
                               CHECK(r.kind == kUnauthenticatedRefusalsKind);
                               out.push_back(r.body);
                               return true;
                             })
                .has_value());
    return out;
  }
};

}  // namespace

TEST_CASE("1,000 refusals of one address in a minute are one record, appended once the minute has closed") {
  Log log;
  auto now = kTen + 12s;
  UnauthenticatedRefusals refusals(*log.audit, {}, [&] { return now; });
  for (int i = 0; i < 1000; ++i) {
    refusals.count("203.0.113.5", i % 10 == 0 ? "GET /v1/events" : "POST /v1/lookups/{adapter}", 401);
    now += 40ms;  // the last at 10:00:51.960
  }
  refusals.flush_closed();
  CHECK(refusals.open_aggregates() == 1);  // 10:00 has not closed yet
  now = kTen + 60s;
  refusals.flush_closed();
  CHECK(refusals.open_aggregates() == 0);
  const auto records = log.appended();
  REQUIRE(records.size() == 1);
  CHECK(records[0]["remote_address"] == "203.0.113.5");
  CHECK(records[0]["minute"] == "2026-11-24T10:00:00.000Z");
  CHECK(records[0]["count"] == 1000);
  CHECK(records[0]["first_at"] == "2026-11-24T10:00:12.000Z");
  CHECK(records[0]["last_at"] == "2026-11-24T10:00:51.960Z");
  CHECK(records[0]["refused"] == nlohmann::json::array({
                                     {{"route", "GET /v1/events"}, {"status", 401}, {"count", 100}},
                                     {{"route", "POST /v1/lookups/{adapter}"}, {"status", 401}, {"count", 900}},
                                 }));
  CHECK_FALSE(records[0].contains("appended_early"));
}

TEST_CASE("each address and minute is its own aggregate; a clean stop appends the open ones") {
  Log log;
  auto now = kTen + 59s;
  UnauthenticatedRefusals refusals(*log.audit, {}, [&] { return now; });
  refusals.count("203.0.113.5", "GET /v1/events", 401);
  refusals.count("2001:db8::7", "GET /v1/events", 401);
  now = kTen + 61s;
  refusals.count("203.0.113.5", "GET /v1/events", 429);
  CHECK(refusals.open_aggregates() == 3);
  refusals.flush_closed();  // 10:00 closed: its two aggregates go
  CHECK(refusals.open_aggregates() == 1);
  refusals.flush_all();  // a clean stop: nothing counted is lost
  CHECK(refusals.open_aggregates() == 0);
  const auto records = log.appended();
  REQUIRE(records.size() == 3);
  CHECK(records[2]["minute"] == "2026-11-24T10:01:00.000Z");
  CHECK(records[2]["refused"][0]["status"] == 429);
}

TEST_CASE(
    "a bucket allows a burst, then says how long to wait, refills at its rate, and forgets the least recent address") {
  UnauthenticatedConfig config;
  config.burst = 2;
  config.per_minute = 6;  // a token every 10 s
  config.max_addresses = 2;
  auto now = kTen;
  AddressRateLimit limit(config, [&] { return now; });
  CHECK_FALSE(limit.exhausted("a").has_value());
  CHECK(limit.tracked() == 0);  // asking takes nothing and tracks nothing
  limit.take("a");
  limit.take("a");
  REQUIRE(limit.exhausted("a").has_value());
  CHECK(*limit.exhausted("a") == 10s);
  now += 4s;
  CHECK(*limit.exhausted("a") == 6s);
  now += 6s;
  CHECK_FALSE(limit.exhausted("a").has_value());
  limit.take("a");
  limit.take("b");
  limit.take("c");  // past the cap: "a", used least recently, is forgotten
  CHECK(limit.tracked() == 2);
  CHECK_FALSE(limit.exhausted("a").has_value());
}
