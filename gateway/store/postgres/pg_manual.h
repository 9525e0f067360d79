#pragma once
// The manual-handling queue in PostgreSQL.
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/manual_records.h"
#include "store/postgres/pg_connection.h"

namespace knutpunkt::pg {

std::string_view manual_schema();

std::expected<void, StoreError> apply(Connection& c, const store_write::PutManualItem& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::ResolveManualItem& w);

std::expected<std::vector<ManualItem>, StoreError> manual_items(Connection& c, const std::string& status,
                                                                const std::string& after_created_at,
                                                                const std::string& after_id, int limit);
std::expected<std::optional<ManualItem>, StoreError> manual_item(Connection& c, const std::string& item_id);

}  // namespace knutpunkt::pg
