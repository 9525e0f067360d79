#include "core/outbox_message.h"

#include "core/ids.h"

namespace knutpunkt {

OutboxMessage new_outbox_message(NewOutboxMessage message, std::int64_t at_ms) {
  OutboxMessage m;
  m.id = new_uuid();
  m.destination = std::move(message.destination);
  m.type = std::move(message.type);
  m.ordering_key = std::move(message.ordering_key);
  m.client_id = std::move(message.client_id);
  m.case_id = std::move(message.case_id);
  m.payload = std::move(message.payload);
  m.created_at_ms = at_ms;
  m.next_attempt_at_ms = at_ms;
  return m;
}

}  // namespace knutpunkt
