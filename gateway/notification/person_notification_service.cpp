#include "notification/person_notification_service.h"

#include "core/clock.h"
#include "core/ids.h"
#include "log/log.h"
#include "policy/protected_identity.h"

namespace knutpunkt {

PersonNotificationService::PersonNotificationService(delivery::DeliveryEngine& engine, Store& store,
                                                     const routing::EventPublisher& publisher)
    : engine_(engine), store_(store), publisher_(publisher) {}

void PersonNotificationService::accept(const std::string& partner, InboundReport report,
                                       std::function<void(std::expected<NotificationOutcome, Failure>)> done) {
  std::optional<std::expected<bool, StoreError>> seen;
  auto claim = in_flight_.try_claim_if(std::make_pair(partner, report.partner_message_id), [&] {
    seen = store_.inbound_seen(partner, report.partner_message_id);
    return *seen && !**seen;
  });
  if (!seen) {
    return done(std::unexpected(Failure{"duplicate_in_flight", "this notification is being stored right now"}));
  }
  if (!*seen) return done(std::unexpected(Failure{"store_unavailable", seen->error().code}));
  if (**seen) return done(NotificationOutcome{true, {}, {}, 0});

  auto cases = store_.open_cases_with_member(report.person_id);
  if (!cases) {
    claim->release();
    return done(std::unexpected(Failure{"store_unavailable", cases.error().code}));
  }
  // Protected if the partner says so now, or anyone did before, or the store cannot say.
  const auto remembered = store_.is_protected(report.person_id);
  const bool known_protected = !remembered || *remembered;
  const bool protected_identity = report.protected_identity || known_protected;

  const std::string received_at = now_utc();
  std::vector<StoreWrite> writes;
  writes.push_back(store_write::PutInboundReceipt{partner, report.partner_message_id, "", received_at});
  if (report.protected_identity && !known_protected) {
    writes.push_back(store_write::RememberProtected{report.person_id, partner, received_at});
  }
  NotificationOutcome outcome;
  outcome.receipt_id = new_uuid();
  outcome.cases = cases->size();
  nlohmann::json delivered_to = nlohmann::json::array();
  nlohmann::json types = nlohmann::json::array();
  for (const CaseRecord& c : *cases) {
    delivered_to.push_back({{"client", c.client_id}, {"case_id", c.case_id}});
    for (const ReportedEvent& reported : report.events) {
      CaseEvent e = new_case_event({.type = reported.type,
                                    .occurred_at = reported.occurred_at,
                                    .received_at = received_at,
                                    .source_partner = partner,
                                    .case_id = c.case_id,
                                    .subject = {report.person_id, report.id_kind},
                                    .correlation_id = report.partner_message_id,
                                    .causation_id = report.partner_message_id,
                                    .protected_identity = protected_identity,
                                    .facts = reported.facts});
      if (protected_identity) policy::strip_location_facts(e.facts);
      outcome.event_ids.push_back(e.event_id);
      types.push_back(e.type);
      // One person's decisions reach a case system in the order they came.
      auto published = publisher_.publish(e, c.client_id, routing::RouteKey{e.type, c.client_id, "", c.unit, ""},
                                          partner + ":" + report.person_id);
      std::move(published.begin(), published.end(), std::back_inserter(writes));
    }
  }
  nlohmann::json body = {{"partner", partner},
                         {"partner_message_id", report.partner_message_id},
                         {"receipt_id", outcome.receipt_id},
                         {"report_type", report.report_type},
                         {"reported_at", report.reported_at},
                         {"person", {{"id", report.person_id}, {"kind", report.id_kind}}},
                         {"protected_identity", protected_identity},
                         {"outcome", cases->empty() ? "no_open_case" : "published"},
                         {"delivered_to", delivered_to},
                         {"event_ids", outcome.event_ids},
                         {"event_types", types}};
  if (report.protected_identity && !known_protected) body["protected_identity_remembered"] = true;
  if (!report.deviations.empty()) body["deviations"] = report.deviations;
  engine_.submit("partner.notification_received", std::move(body), std::move(writes),
                 [claim = std::move(*claim), outcome = std::move(outcome),
                  done = std::move(done)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                   claim.release();
                   if (!receipt) return done(std::unexpected(Failure{"audit_unavailable", receipt.error().code}));
                   done(std::move(outcome));
                 });
}

}  // namespace knutpunkt
