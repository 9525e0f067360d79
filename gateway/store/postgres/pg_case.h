#pragma once
// Cases and their households in PostgreSQL.
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/case_records.h"
#include "store/postgres/pg_connection.h"

namespace knutpunkt::pg {

std::string_view case_schema();

std::expected<void, StoreError> apply(Connection& c, const store_write::PutCase& w);

std::expected<std::optional<CaseRecord>, StoreError> case_file(Connection& c, const std::string& organisation,
                                                               const std::string& case_id);
std::expected<std::vector<CaseRecord>, StoreError> open_cases_with_member(Connection& c, const std::string& person_id);

}  // namespace knutpunkt::pg
