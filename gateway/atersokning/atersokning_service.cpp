#include "atersokning/atersokning_service.h"

#include <chrono>

#include "core/clock.h"
#include "core/ids.h"

namespace knutpunkt {

namespace {

// One person's återsökningar reach FK in the order they were made.
std::string ordering_key_of(const std::string& person_id) { return "atersokning:" + person_id; }

}  // namespace

nlohmann::json to_json(const Atersokning& a) {
  return {{"atersokning_id", a.atersokning_id},
          {"case_id", a.case_id},
          {"client", a.client_id},
          {"unit", a.unit},
          {"person", {{"id", a.person_id}, {"kind", a.id_kind}}},
          {"purpose", a.purpose},
          {"benefit_code", a.benefit_code},
          {"period", {{"from", a.period_from}, {"to", a.period_to}}},
          {"amount_ore", a.amount_ore},
          {"decided_on", a.decided_on},
          {"caseworker", {{"id", a.caseworker.id}, {"unit", a.caseworker.unit}}},
          {"protected_identity", a.protected_identity}};
}

AtersokningService::AtersokningService(delivery::DeliveryEngine& engine, const routing::RouteTable& routes,
                                       const routing::EventPublisher& publisher, std::set<std::string> outbound)
    : engine_(engine), routes_(routes), publisher_(publisher), outbound_(std::move(outbound)) {}

std::expected<std::string, Failure> AtersokningService::destination(const std::string& client_id,
                                                                    const std::string& unit) const {
  for (const std::string& d : routes_.destinations(routing::RouteKey{kAtersokningRequested, client_id, "", unit, ""})) {
    if (outbound_.contains(d)) return d;
  }
  return std::unexpected(Failure{"no_route", "no partner taking återsökningar is configured for this client"});
}

PreparedAtersokning AtersokningService::prepare(const authorization::AuthorizedExchange& authorized,
                                               Atersokning atersokning) const {
  atersokning.atersokning_id = new_uuid();
  atersokning.protected_identity = atersokning.protected_identity || authorized.known_protected;
  PreparedAtersokning p;
  p.atersokning_id = atersokning.atersokning_id;
  p.destination = authorized.request.adapter;
  p.accepted_at = now_utc();

  const nlohmann::json payload = to_json(atersokning);
  OutboxMessage m = new_outbox_message({.destination = p.destination,
                                        .type = kAtersokningRequested,
                                        .ordering_key = ordering_key_of(atersokning.person_id),
                                        .client_id = atersokning.client_id,
                                        .case_id = atersokning.case_id,
                                        .payload = payload},
                                       now_ms());
  p.message_id = m.id;
  p.writes.push_back(store_write::EnqueueMessage{std::move(m)});
  // What was asked of whom about whom, and on which basis.
  p.audit_body = {{"atersokning_id", p.atersokning_id},
                  {"atersokning", payload},
                  {"destination", p.destination},
                  {"message_id", p.message_id},
                  {"purpose_text", authorized.purpose_text},
                  {"legal_ground", std::string(policy::to_string(authorized.legal_basis))}};
  if (authorized.consent) p.audit_body["consent"] = {{"id", authorized.consent->consent_id}};
  return p;
}

void AtersokningService::commit(PreparedAtersokning prepared, std::vector<StoreWrite> extra,
                                std::function<void(std::expected<AuditReceipt, Failure>)> done) {
  std::move(extra.begin(), extra.end(), std::back_inserter(prepared.writes));
  engine_.submit(kAtersokningRequested, std::move(prepared.audit_body), std::move(prepared.writes),
                 [done = std::move(done)](std::expected<AuditReceipt, StoreError> receipt) {
                   if (!receipt) return done(std::unexpected(Failure{"audit_unavailable", receipt.error().code}));
                   done(*receipt);
                 });
}

void AtersokningService::register_with(delivery::DeliveryEngine& engine) const {
  engine.add_settlement_handler(kAtersokningRequested,
                                [this](const OutboxMessage& message, MessageStatus status, const std::string& reason) {
                                  return on_settled(message, status, reason);
                                });
}

std::vector<StoreWrite> AtersokningService::on_settled(const OutboxMessage& message, MessageStatus status,
                                                       const std::string& reason) const {
  if (message.type != kAtersokningRequested || !message.payload.is_object()) return {};
  const nlohmann::json& a = message.payload;
  const auto person = a.value("person", nlohmann::json::object());
  CaseEvent e = new_case_event({.type = status == MessageStatus::delivered ? "atersokning.sent" : "delivery.failed",
                                .source_partner = "knutpunkt",
                                .case_id = message.case_id,
                                .subject = {person.value("id", ""), person.value("kind", "")},
                                .correlation_id = a.value("atersokning_id", ""),
                                .causation_id = message.id,
                                .protected_identity = a.value("protected_identity", false),
                                .facts = {{"atersokning_id", a.value("atersokning_id", "")},
                                          {"destination", message.destination},
                                          {"message_id", message.id},
                                          {"benefit_code", a.value("benefit_code", "")}}});
  if (status == MessageStatus::dead) {
    e.facts["message_type"] = message.type;
    e.facts["reason"] = reason;
  }
  return publisher_.publish(e, message.client_id, routing::RouteKey{e.type, message.client_id, "", a.value("unit", ""), ""},
                            message.ordering_key);
}

}  // namespace knutpunkt
