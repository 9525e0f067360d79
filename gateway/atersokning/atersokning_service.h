#pragma once
// Återsökning (107 kap. 5 § SFB): the nämnd paid ekonomiskt bistånd for a period for which
// Försäkringskassan later grants a benefit, and asks FK to pay that part of the benefit to the
// nämnd instead. The request is routed to the partner that takes återsökningar and put in the
// outbox in one transaction with its audit record, so the 202 a case system gets means "durable";
// delivery is the engine's (retries, ordering per person, dead letters). FK's decision comes back
// as a decision notification naming the återsökning (benefit.decision_received).
#include <expected>
#include <functional>
#include <set>
#include <string>

#include "authorization/exchange_authorizer.h"
#include "core/failure.h"
#include "delivery/delivery_engine.h"
#include "routing/event_publisher.h"
#include "routing/route_table.h"

namespace knutpunkt {

inline constexpr const char* kAtersokningRequested = "atersokning.requested";

struct Atersokning {
  std::string atersokning_id;  // assigned at acceptance; FK's atersokningsId
  std::string client_id;
  std::string case_id;
  std::string unit;
  std::string person_id;
  std::string id_kind;
  std::string purpose;
  std::string benefit_code;  // FK's förmånskod, e.g. "FK:BOB"
  std::string period_from;   // the period the nämnd paid bistånd for
  std::string period_to;
  std::int64_t amount_ore = 0;  // what the nämnd paid for the period
  std::string decided_on;       // the nämnd's decision on bistånd
  Caseworker caseworker;
  bool protected_identity = false;
};

// The outbox payload (adapters/forsakringskassan/README.md renders it).
nlohmann::json to_json(const Atersokning& a);

// An AtersokningService Failure's code: "no_route", "audit_unavailable".

// A request ready to commit: ids assigned, outbox message and audit record built.
struct PreparedAtersokning {
  std::string atersokning_id;
  std::string destination;
  std::string message_id;
  std::string accepted_at;
  std::vector<StoreWrite> writes;
  nlohmann::json audit_body;
};

class AtersokningService {
 public:
  AtersokningService(delivery::DeliveryEngine& engine, const routing::RouteTable& routes,
                     const routing::EventPublisher& publisher, std::set<std::string> outbound);

  // The partner a request from `client_id` in `unit` goes to (the first matching route naming a
  // delivering adapter), or no_route.
  std::expected<std::string, Failure> destination(const std::string& client_id, const std::string& unit) const;

  // Assigns the ids and builds the outbox message (to the authorized partner) and the audit record.
  PreparedAtersokning prepare(const authorization::AuthorizedExchange& authorized, Atersokning atersokning) const;

  // Commits it (audit record "atersokning.requested" with its outbox message and any `extra`
  // writes, e.g. an idempotency key) and calls `done` once durable or failed.
  void commit(PreparedAtersokning prepared, std::vector<StoreWrite> extra,
              std::function<void(std::expected<AuditReceipt, Failure>)> done);

  // Registers on_settled for återsökningar.
  void register_with(delivery::DeliveryEngine& engine) const;

  // Settlement: tells the case system the request reached FK (atersokning.sent) or could not be
  // delivered (delivery.failed). Empty for messages of other types.
  std::vector<StoreWrite> on_settled(const OutboxMessage& message, MessageStatus status, const std::string& reason) const;

 private:
  delivery::DeliveryEngine& engine_;
  const routing::RouteTable& routes_;
  const routing::EventPublisher& publisher_;
  std::set<std::string> outbound_;
};

}  // namespace knutpunkt
