// Migrations of the PostgreSQL store: applied once however many instances open the database at
// the same moment, a database set back to an older version brought forward, and a database from a
// newer build refused.
#include <atomic>
#include <thread>
#include <vector>

#include "../store/migration_setback.h"
#include "pg_test_database.h"

using namespace knutpunkt;
using namespace knutpunkt::test_postgres;

namespace {
// Migrations 1 to 5.
constexpr int kLatestSchemaVersion = 5;
constexpr int kMigrationsRecorded = 5;
}  // namespace

TEST_CASE("instances opening a new database at the same moment migrate it exactly once") {
  const std::string db = fresh_database();
  constexpr int kInstances = 6;
  std::atomic<int> ready{0};
  std::vector<std::expected<std::unique_ptr<Store>, StoreError>> opened(kInstances);
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kInstances) std::this_thread::yield();
      opened[static_cast<std::size_t>(i)] = open_postgres_store(PostgresSettings{db, std::nullopt, 2});
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& store : opened) {
    INFO((store ? std::string() : store.error().code + ": " + store.error().message));
    CHECK(store.has_value());
  }
  CHECK(sql(db, "SELECT count(*) FROM schema_migrations") == std::to_string(kMigrationsRecorded));
  CHECK(sql(db, "SELECT count(*) FROM audit_head") == "1");
  // Every instance works on the one schema.
  for (auto& store : opened) {
    if (store) CHECK((*store)->ping().has_value());
  }
}

TEST_CASE("opening the same database again applies nothing and keeps what is stored") {
  const std::string db = fresh_database();
  {
    auto store = open_store(db);
    REQUIRE(store->commit({}, {store_write::RememberProtected{"199001011234", "ssbtek/FK", "2026-01-01T00:00:00Z"}})
                .has_value());
  }
  auto again = open_store(db);
  CHECK(sql(db, "SELECT count(*) FROM schema_migrations") == std::to_string(kMigrationsRecorded));
  CHECK(again->is_protected("199001011234").value());
}

TEST_CASE("referrals from before time limits existed have theirs settled by migration 4, not raised") {
  const std::string db = fresh_database();
  const ReferralRecord referral = setback_referral("R-old", kReferralActive);
  {
    auto store = open_store(db);
    REQUIRE(store->commit({}, {store_write::PutReferral{referral}}).has_value());
  }
  // Back to version 4, the later migrations undone too.
  sql(db, "DROP INDEX referral_status");
  sql(db, "DROP TABLE referral_report");
  sql(db, "DROP TABLE referral_reminder");
  sql(db, "DELETE FROM schema_migrations WHERE version >= 4");
  auto again = open_store(db);
  CHECK(sql(db, "SELECT max(version) FROM schema_migrations") == std::to_string(kLatestSchemaVersion));
  CHECK(again->referral_reminder_raised("R-old", "referral.not_enrolled", "referral").value());
  CHECK(again->referral_reminder_raised("R-old", "referral.first_visit_overdue", "referral").value());
  CHECK(again->referral_reports("R-old").value().empty());
}

TEST_CASE("a version 4 database gets the index by status the scans of active referrals read by") {
  const std::string db = fresh_database();
  const auto withdrawn = setback_referral("R-1", kReferralWithdrawn);
  const auto active = setback_referral("R-2", kReferralActive);
  {
    auto store = open_store(db);
    REQUIRE(store->commit({}, {store_write::PutReferral{withdrawn}, store_write::PutReferral{active}}).has_value());
  }
  sql(db, "DROP INDEX referral_status");
  sql(db, "DELETE FROM schema_migrations WHERE version > 4");
  auto again = open_store(db);
  CHECK(sql(db, "SELECT max(version) FROM schema_migrations") == std::to_string(kLatestSchemaVersion));
  CHECK(sql(db, "SELECT indexdef FROM pg_indexes WHERE indexname = 'referral_status'").find("(status, referral_id)") !=
        std::string::npos);
  const auto page = again->referrals_with_status(kReferralActive, "", 10).value();
  REQUIRE(page.size() == 1);
  CHECK(page[0].referral_id == "R-2");
}

TEST_CASE("a database migrated by a newer build is refused with schema_too_new") {
  const std::string db = fresh_database();
  open_store(db);
  sql(db, "INSERT INTO schema_migrations (version) VALUES (999)");
  auto refused = open_postgres_store(PostgresSettings{db, std::nullopt, 2});
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == "schema_too_new");
}

TEST_CASE("an unreachable server is reported as postgresql_unavailable") {
  // A socket folder that does not exist: no server can be behind it.
  const std::string connection = "host=/nonexistent/knutpunkt-no-server port=5432 dbname=x connect_timeout=2";
  auto refused = open_postgres_store(PostgresSettings{connection, std::nullopt, 1});
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == "postgresql_unavailable");
}
