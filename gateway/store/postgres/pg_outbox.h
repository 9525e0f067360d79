#pragma once
// The outbox and its delivery attempts in PostgreSQL.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/delivery_records.h"
#include "store/postgres/pg_connection.h"

namespace knutpunkt::pg {

std::string_view outbox_schema();

std::expected<void, StoreError> apply(Connection& c, const store_write::EnqueueMessage& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::RecordAttempt& w);
std::expected<void, StoreError> apply(Connection& c, const store_write::Replay& w);

// Up to `rows` pending and dead messages after `after_position`, in acceptance order, payload null.
std::expected<std::vector<OutboxMessage>, StoreError> undelivered_page(Connection& c, std::int64_t after_position,
                                                                       int rows);
std::expected<std::optional<OutboxMessage>, StoreError> message(Connection& c, const std::string& id);
// "SELECT <message columns> FROM outbox o " followed by `rest` (its WHERE and ORDER BY), payload null.
std::expected<std::vector<OutboxMessage>, StoreError> select_messages(Connection& c, std::string_view rest,
                                                                      const Params& params, std::string_view doing);
std::expected<std::vector<DeliveryAttempt>, StoreError> attempts(Connection& c, const std::string& message_id);
std::expected<std::vector<OutboxMessage>, StoreError> dead_letters(Connection& c, const DeadLetterQuery& q);
std::expected<std::vector<OutboxMessage>, StoreError> messages_by_ordering_key(Connection& c, const std::string& key);

}  // namespace knutpunkt::pg
