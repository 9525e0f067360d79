#pragma once
// The case-event feed in PostgreSQL.
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "store/delivery_records.h"
#include "store/postgres/pg_connection.h"

namespace knutpunkt::pg {

std::string_view event_feed_schema();

std::expected<void, StoreError> apply(Connection& c, const store_write::AppendEvent& w);
std::expected<std::vector<StoredEvent>, StoreError> events_after(Connection& c, const std::string& client_id,
                                                                 std::int64_t after_seq, int limit);

}  // namespace knutpunkt::pg
