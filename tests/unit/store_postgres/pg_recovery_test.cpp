// The PostgreSQL store after the server went away and came back, and with a password.
#include <fstream>

#include "pg_test_database.h"

using namespace knutpunkt;
using namespace knutpunkt::test_postgres;

namespace {

std::expected<void, StoreError> append(Store& store, const std::string& kind) {
  std::vector<CommitEntry> batch{
      CommitEntry{AuditRecord{0, "2026-12-06T12:00:00.000Z", kind, {{"k", kind}}, "", ""}, {}, std::nullopt, {}}};
  return store.commit_sealed(batch, [](AuditRecord& r, const std::optional<AuditChainTip>& tip) {
    r.seq = tip ? tip->seq + 1 : 1;
    r.prev_hash = tip ? tip->hash : "genesis";
    r.hash = "h" + std::to_string(r.seq);
  });
}

}  // namespace

TEST_CASE("after the server restarts the store commits and reads again without being reopened") {
  const std::string db = fresh_database();
  auto store = open_store(db, 3);
  // Fill the pool with connections that the restart will break.
  REQUIRE(append(*store, "before").has_value());
  REQUIRE(store->ping().has_value());
  REQUIRE(store->last_audit_record().has_value());

  PostgresCluster::shared().restart();

  // The first commit after the restart meets a dropped connection; nothing of it reached the
  // server, so it runs on a fresh connection and succeeds.
  auto after = append(*store, "after");
  INFO((after ? std::string() : after.error().code + ": " + after.error().message));
  CHECK(after.has_value());
  CHECK(store->ping().has_value());
  auto last = store->last_audit_record();
  REQUIRE(last.has_value());
  REQUIRE(last->has_value());
  CHECK((*last)->seq == 2);
  CHECK((*last)->kind == "after");
  // Every pooled connection broke; each is replaced as it is next used.
  for (int i = 0; i < 6; ++i) CHECK(store->is_protected("199001011234").has_value());
}

TEST_CASE("while the server is down the store answers postgresql_unavailable, and works once it is back") {
  const std::string db = fresh_database();
  auto store = open_store(db, 2);
  REQUIRE(append(*store, "before").has_value());
  PostgresCluster::shared().stop();
  auto down = append(*store, "while down");
  PostgresCluster::shared().start();
  REQUIRE_FALSE(down.has_value());
  CHECK(down.error().code == "postgresql_unavailable");
  CHECK(store->ping().has_value());
  CHECK(append(*store, "after").has_value());
  CHECK(sql(db, "SELECT count(*) FROM audit_log") == "2");
}

TEST_CASE("the password is taken from PostgresSettings.password and is never part of an error") {
  const std::string db = fresh_database();
  const std::string secret = "s3cret-Pw-for-test";
  sql(db, "CREATE ROLE knutpunkt_pw LOGIN PASSWORD '" + secret + "'");
  sql(db, "GRANT ALL ON SCHEMA public TO knutpunkt_pw");
  // This role must authenticate by password over TCP, whatever the cluster trusts otherwise.
  const auto hba = PostgresCluster::shared().data_directory() / "pg_hba.conf";
  std::string rules;
  {
    std::ifstream in(hba);
    rules.assign(std::istreambuf_iterator<char>(in), {});
  }
  {
    std::ofstream out(hba, std::ios::trunc);
    out << "host all knutpunkt_pw 127.0.0.1/32 scram-sha-256\n" << rules;
  }
  sql(db, "SELECT pg_reload_conf()");

  const std::string as_role = db + " user=knutpunkt_pw";
  auto without = open_postgres_store(PostgresSettings{as_role, std::nullopt, 1});
  REQUIRE_FALSE(without.has_value());
  CHECK(without.error().code == "postgresql_unavailable");

  auto wrong = open_postgres_store(PostgresSettings{as_role, std::string("not-") + secret, 1});
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().code == "postgresql_unavailable");
  CHECK(wrong.error().message.find(secret) == std::string::npos);

  auto right = open_postgres_store(PostgresSettings{as_role, secret, 1});
  INFO((right ? std::string() : right.error().code + ": " + right.error().message));
  REQUIRE(right.has_value());
  CHECK((*right)->ping().has_value());
  CHECK(append(**right, "with password").has_value());
}

TEST_CASE("a value PostgreSQL text cannot hold fails the commit whole instead of being shortened") {
  const std::string db = fresh_database();
  auto store = open_store(db);
  const std::string with_nul("199001011234\0tail", 17);
  auto failed = store->commit({}, {store_write::RememberProtected{"198001011234", "ssbtek/FK", "t"},
                                   store_write::RememberProtected{with_nul, "ssbtek/FK", "t"}});
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == "postgresql_error");
  CHECK_FALSE(store->is_protected("199001011234").value());
  CHECK_FALSE(store->is_protected("198001011234").value());
}
