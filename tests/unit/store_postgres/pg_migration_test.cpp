// Migrations of the PostgreSQL store: applied once however many instances open the database at
// the same moment, and a database from a newer build refused.
#include <atomic>
#include <thread>
#include <vector>

#include "pg_test_database.h"

using namespace knutpunkt;
using namespace knutpunkt::test_postgres;

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
  CHECK(sql(db, "SELECT count(*) FROM schema_migrations") == "5");
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
  CHECK(sql(db, "SELECT count(*) FROM schema_migrations") == "5");
  CHECK(again->is_protected("199001011234").value());
}

TEST_CASE("referrals from before time limits existed have theirs settled by migration 4, not raised") {
  const std::string db = fresh_database();
  ReferralRecord referral;
  referral.referral_id = "R-old";
  referral.client_id = "client-a";
  referral.case_id = "EB-1";
  referral.destination = "jobbtorg-sodra";
  referral.person_id = "191212121212";
  referral.created_at = "2026-01-05T09:00:00.000Z";
  referral.referral = {{"referral_id", "R-old"}};
  {
    auto store = open_store(db);
    REQUIRE(store->commit({}, {store_write::PutReferral{referral}}).has_value());
  }
  sql(db, "DROP TABLE referral_report");
  sql(db, "DROP TABLE referral_reminder");
  sql(db, "DROP INDEX referral_status");
  sql(db, "DELETE FROM schema_migrations WHERE version >= 4");
  auto again = open_store(db);
  CHECK(sql(db, "SELECT max(version) FROM schema_migrations") == "5");
  CHECK(again->referral_reminder_raised("R-old", "referral.not_enrolled", "referral").value());
  CHECK(again->referral_reminder_raised("R-old", "referral.first_visit_overdue", "referral").value());
  CHECK(again->referral_reports("R-old").value().empty());
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
