#pragma once
// The outbox and its delivery attempts, as the delivery engine and operators read them.
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/delivery_records.h"
#include "store/store_error.h"

namespace knutpunkt {

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Pending and dead messages in acceptance order (payload left null), for the delivery
  // engine's start: dead letters hold back later messages with the same ordering key.
  virtual std::expected<void, StoreError> scan_undelivered_messages(
      const std::function<bool(const OutboxMessage&)>& visit) = 0;
  virtual std::expected<std::optional<OutboxMessage>, StoreError> message(const std::string& id) = 0;
  virtual std::expected<std::vector<DeliveryAttempt>, StoreError> attempts(const std::string& message_id) = 0;
  virtual std::expected<std::vector<OutboxMessage>, StoreError> dead_letters(const DeadLetterQuery& query) = 0;
  virtual std::expected<std::vector<OutboxMessage>, StoreError> messages_by_ordering_key(
      const std::string& ordering_key) = 0;
};

}  // namespace knutpunkt
