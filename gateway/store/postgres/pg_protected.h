#pragma once
// Persons flagged as protected (skyddade personuppgifter) in PostgreSQL.
#include <expected>
#include <string>
#include <string_view>

#include "store/postgres/pg_connection.h"
#include "store/protected_records.h"

namespace knutpunkt::pg {

std::string_view protected_schema();

std::expected<void, StoreError> apply(Connection& c, const store_write::RememberProtected& w);
std::expected<bool, StoreError> is_protected(Connection& c, const std::string& person_id);

}  // namespace knutpunkt::pg
