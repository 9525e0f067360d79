#include "routing/event_publisher.h"

#include <chrono>

#include "core/ids.h"

namespace knutpunkt::routing {

EventPublisher::EventPublisher(const RouteTable& routes, std::map<std::string, std::string> webhook_clients)
    : routes_(routes), webhook_clients_(std::move(webhook_clients)) {}

StoreWrite EventPublisher::feed_only(const CaseEvent& event, const std::string& client_id) {
  return store_write::AppendEvent{event.event_id, client_id, event.case_id, event.correlation_id, event.type,
                                  to_json(event)};
}

std::vector<StoreWrite> EventPublisher::publish(const CaseEvent& event, const std::string& client_id,
                                                const RouteKey& where, const std::string& ordering_key) const {
  std::vector<StoreWrite> writes;
  writes.push_back(feed_only(event, client_id));
  RouteKey key = where;
  key.type = event.type;
  key.client_id = client_id;
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const std::string& destination : routes_.destinations(key)) {
    const auto webhook = webhook_clients_.find(destination);
    if (webhook == webhook_clients_.end() || webhook->second != client_id) continue;
    OutboxMessage m;
    m.id = new_uuid();
    m.destination = destination;
    m.type = event.type;
    m.ordering_key = ordering_key;
    m.client_id = client_id;
    m.case_id = event.case_id;
    m.payload = to_json(event);
    m.created_at_ms = now_ms;
    m.next_attempt_at_ms = now_ms;
    writes.push_back(store_write::EnqueueMessage{std::move(m)});
  }
  return writes;
}

}  // namespace knutpunkt::routing
