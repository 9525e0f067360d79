#pragma once
// Where a case event goes once it exists: always into its client's pull feed (GET /v1/events),
// and to every webhook the routes select, through the durable outbox. A webhook only ever
// receives events of the client it belongs to, whatever the routes say: one municipality's case
// system never sees another's clients.
#include <map>
#include <string>
#include <vector>

#include "core/case_event.h"
#include "routing/route_table.h"
#include "store/store_writes.h"

namespace knutpunkt::routing {

class EventPublisher {
 public:
  // webhook_clients: webhook name -> the client it belongs to.
  EventPublisher(const RouteTable& routes, std::map<std::string, std::string> webhook_clients);

  // The writes that publish `event` for `client_id`. Webhook messages use `ordering_key` (e.g. the
  // referral id) so the events of one referral reach the case system in order.
  std::vector<StoreWrite> publish(const CaseEvent& event, const std::string& client_id, const RouteKey& where,
                                  const std::string& ordering_key) const;

  // Only into the feed (used when telling a client that a push to its own webhook failed).
  static StoreWrite feed_only(const CaseEvent& event, const std::string& client_id);

 private:
  const RouteTable& routes_;
  std::map<std::string, std::string> webhook_clients_;
};

}  // namespace knutpunkt::routing
