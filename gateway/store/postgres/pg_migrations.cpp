#include "store/postgres/pg_migrations.h"

#include <array>
#include <string>

#include "store/postgres/pg_attendance.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_case.h"
#include "store/postgres/pg_consent.h"
#include "store/postgres/pg_event_feed.h"
#include "store/postgres/pg_lease.h"
#include "store/postgres/pg_manual.h"
#include "store/postgres/pg_outbox.h"
#include "store/postgres/pg_protected.h"
#include "store/postgres/pg_referral.h"
#include "store/postgres/pg_referral_deadline.h"
#include "store/postgres/pg_session.h"
#include "store/postgres/pg_sip.h"

namespace knutpunkt::pg {
namespace {

// Any fixed number shared by every instance: the advisory lock that makes migrating a critical
// section across processes ("knutpunkt" in ASCII, truncated).
constexpr std::int64_t kMigrationLock = 0x6b6e7574706b;

// Schema history. Append a new entry for every change; never edit an applied one: the versions
// in schema_migrations say which entries a database already has.
std::string schema_v1() {
  std::string sql;
  for (std::string_view part :
       {audit_schema(), outbox_schema(), lease_schema(), event_feed_schema(), referral_schema(), consent_schema(),
        case_schema(), protected_schema(), manual_schema(), sip_schema(), session_schema()}) {
    sql += part;
  }
  return sql;
}

struct Migration {
  int version;
  std::string (*sql)();
};

// 2: a referral's status, version and consent, and its change history (pg_referral.h).
std::string schema_v2() { return std::string(referral_change_schema()); }

// 3: attendance days, months and summaries of referrals (pg_attendance.h); 4: the reports each
// referral received and the time limits raised (pg_referral_deadline.h); 6: referrals by status,
// then id (pg_referral.h).
constexpr std::array kMigrations{Migration{1, &schema_v1}, Migration{2, &schema_v2}, Migration{3, &attendance_schema},
                                 Migration{4, &referral_deadline_schema}, Migration{6, &active_referrals_schema}};

}  // namespace

int latest_schema_version() {
  return kMigrations.back().version;
}

std::expected<void, StoreError> migrate(Connection& c) {
  Transaction tx(c);
  if (auto began = tx.begin(); !began) return std::unexpected(began.error().error);
  // Held until COMMIT or ROLLBACK: an instance starting meanwhile waits here, then finds every
  // migration recorded and applies none.
  if (auto ok = c.run("SELECT pg_advisory_xact_lock($1)", Params().add(kMigrationLock), "lock migrations"); !ok) {
    return ok;
  }
  if (auto ok = c.run_script("CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                             "create schema_migrations");
      !ok) {
    return ok;
  }
  auto current = c.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}, "read schema version");
  if (!current) return std::unexpected(current.error());
  const int version = current->int32(0, 0);
  if (version > latest_schema_version()) {
    return std::unexpected(StoreError{"schema_too_new", "database schema version " + std::to_string(version) +
                                                            " is newer than this build knows (" +
                                                            std::to_string(latest_schema_version()) + ")"});
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    const std::string sql = m.sql();
    if (auto ok = c.run_script(sql.c_str(), "migration " + std::to_string(m.version)); !ok) return ok;
    if (auto ok =
            c.run("INSERT INTO schema_migrations (version) VALUES ($1)", Params().add(m.version), "record migration");
        !ok) {
      return ok;
    }
  }
  if (auto done = tx.commit(); !done) return std::unexpected(done.error().error);
  return {};
}

}  // namespace knutpunkt::pg
