#pragma once
// What operators see of the outbox: one message with its attempt history (and what it waits for,
// when it is held back behind another), and pages of dead letters. Messages name cases, so each
// view comes with the audit record it must be read under.
#include <expected>
#include <optional>
#include <string>

#include "audit/audited_write.h"
#include "delivery/delivery_engine.h"
#include "store/store.h"

namespace knutpunkt::delivery {

// A message as operators see it; times that do not apply to its status are left out.
nlohmann::json summary(const OutboxMessage& m);

struct OutboxReading {
  nlohmann::json view;
  AuditedWrite write;  // the read, on record before it is answered
};

class OutboxView {
 public:
  OutboxView(const DeliveryEngine& engine, Store& store) : engine_(engine), store_(store) {}

  // nullopt: no such message.
  std::expected<std::optional<OutboxReading>, StoreError> message(const std::string& message_id,
                                                                  const std::string& reader) const;
  // {"dead_letters", "next_cursor", "has_more"}.
  std::expected<OutboxReading, StoreError> dead_letters(const DeadLetterQuery& query, const std::string& reader) const;

 private:
  const DeliveryEngine& engine_;
  Store& store_;
};

}  // namespace knutpunkt::delivery
