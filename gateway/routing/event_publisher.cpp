#include "routing/event_publisher.h"

#include "core/clock.h"

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
  const std::int64_t at = now_ms();
  for (const std::string& destination : routes_.destinations(key)) {
    const auto webhook = webhook_clients_.find(destination);
    if (webhook == webhook_clients_.end() || webhook->second != client_id) continue;
    writes.push_back(store_write::EnqueueMessage{new_outbox_message({.destination = destination,
                                                                     .type = event.type,
                                                                     .ordering_key = ordering_key,
                                                                     .client_id = client_id,
                                                                     .case_id = event.case_id,
                                                                     .payload = to_json(event)},
                                                                    at)});
  }
  return writes;
}

}  // namespace knutpunkt::routing
