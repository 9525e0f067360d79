#pragma once
// Consents (12 kap. OSL) in PostgreSQL.
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/consent_records.h"
#include "store/postgres/pg_connection.h"

namespace knutpunkt::pg {

std::string_view consent_schema();

std::expected<void, StoreError> apply(Connection& c, const store_write::PutConsent& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::WithdrawConsent& w);

std::expected<std::optional<ConsentRecord>, StoreError> consent(Connection& c, const std::string& consent_id);
std::expected<std::vector<ConsentRecord>, StoreError> consents_for_person(Connection& c, const std::string& person_id);

}  // namespace knutpunkt::pg
