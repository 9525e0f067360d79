#pragma once
// The PostgreSQL schema's history: versioned migrations recorded in schema_migrations, applied
// in one transaction under a transaction-scoped advisory lock, so several instances starting at
// once migrate exactly once and the others find the work done.
#include <expected>

#include "store/postgres/pg_connection.h"
#include "store/store_error.h"

namespace knutpunkt::pg {

// The newest schema version this build knows.
int latest_schema_version();

// Brings the database up to latest_schema_version(). A database migrated by a newer build is
// refused with code "schema_too_new" (this build would not know what its tables mean).
std::expected<void, StoreError> migrate(Connection& c);

}  // namespace knutpunkt::pg
