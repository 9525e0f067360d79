#pragma once
// A partner's own news about a person (Försäkringskassan's decision on a benefit): not an answer
// to anything knutpunkt asked in this exchange, so it belongs wherever the person is in an open
// case's household. Deduplicated on the partner's message id; mapped events are published to each
// such case's case system (feed and webhooks) in one transaction with the audit record. With no
// open case the notification is acknowledged and audited, and its content is not kept: there is
// no one it may be passed to.
#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "core/failure.h"
#include "core/in_flight_claims.h"
#include "core/inbound_adapter.h"
#include "delivery/delivery_engine.h"
#include "routing/event_publisher.h"
#include "store/store.h"

namespace knutpunkt {

// What the partner is told is only `duplicate` and `receipt_id`: the same whether or not the person
// is in an open case, since that a person has a social-services case is itself secret
// (26 kap. 1 § OSL). Where it went (cases, event ids) is in the audit record only.
struct NotificationOutcome {
  bool duplicate = false;
  std::string receipt_id;  // names the audit record of this notification (its "receipt_id")
  std::vector<std::string> event_ids;
  std::size_t cases = 0;  // open cases the person belongs to (0: acknowledged, not passed on)
};

// A PersonNotificationService Failure's code: "duplicate_in_flight", "store_unavailable",
// "audit_unavailable".

class PersonNotificationService {
 public:
  PersonNotificationService(delivery::DeliveryEngine& engine, Store& store, const routing::EventPublisher& publisher);

  // `report.person_id` is set (the adapter validated it); `partner` is the adapter's name.
  void accept(const std::string& partner, InboundReport report,
              std::function<void(std::expected<NotificationOutcome, Failure>)> done);

 private:
  delivery::DeliveryEngine& engine_;
  Store& store_;
  const routing::EventPublisher& publisher_;

  // (partner, partner message id) of notifications being committed right now (a repeat arriving
  // meanwhile gets 409).
  InFlightClaims<std::pair<std::string, std::string>> in_flight_;
};

}  // namespace knutpunkt
