#include "referral/referral_service.h"

#include <chrono>

#include "core/clock.h"
#include "core/ids.h"
#include "log/log.h"
#include "referral/referral_events.h"
#include "referral/referral_lifecycle.h"

namespace knutpunkt {
namespace {

// What the referral time limits judge a report by (referral_deadlines/time_limits.h): its type
// and the plan follow-up date it announces, which the mapping gives as the fact
// `planned_followup` (mappings/jobbtorg).
ReferralReportRecord report_record(const std::string& partner, const InboundReport& report,
                                   const std::string& referral_id, const std::string& received_at) {
  ReferralReportRecord record;
  record.referral_id = referral_id;
  record.partner = partner;
  record.partner_message_id = report.partner_message_id;
  record.report_type = report.report_type;
  record.received_at = received_at;
  for (const ReportedEvent& e : report.events) {
    const auto planned = e.facts.find("planned_followup");
    if (planned != e.facts.end() && planned->is_string()) record.planned_followup = planned->get<std::string>();
  }
  return record;
}

}  // namespace

ReferralService::ReferralService(delivery::DeliveryEngine& engine, Store& store, const routing::RouteTable& routes,
                                 const routing::EventPublisher& publisher, std::set<std::string> outbound,
                                 attendance::AttendanceRules attendance)
    : engine_(engine),
      store_(store),
      routes_(routes),
      publisher_(publisher),
      outbound_(std::move(outbound)),
      attendance_(store, attendance) {}

std::expected<std::string, Failure> ReferralService::destination(const Referral& referral) const {
  for (const std::string& d : routes_.destinations(referral_route_key(to_json(referral), kReferralRequested))) {
    if (outbound_.contains(d)) return d;
  }
  return std::unexpected(Failure{"unknown_district", "no Jobbtorg is configured for this municipality and district"});
}

std::expected<PreparedReferral, Failure> ReferralService::prepare(Referral referral) const {
  PreparedReferral p;
  referral.referral_id = new_uuid();
  const nlohmann::json body = to_json(referral);
  auto routed = destination(referral);
  if (!routed) return std::unexpected(routed.error());
  const std::vector<std::string> destinations{*routed};
  p.accepted_at = now_utc();
  const std::int64_t at = now_ms();

  // A protected person's whereabouts must not travel on an automated path: the referral is kept,
  // audited and queued for an operator, who handles it by a channel fit for it.
  const auto remembered = store_.is_protected(referral.person_id);
  if (!remembered) log::warn("referral.protected_flag_unreadable", {{"referral_id", referral.referral_id}});
  const bool flagged_now = referral.protected_identity && remembered && !*remembered;
  referral.protected_identity = referral.protected_identity || !remembered || *remembered;
  if (referral.protected_identity) {
    if (flagged_now) {
      p.writes.push_back(store_write::RememberProtected{referral.person_id, referral.client_id, p.accepted_at});
    }
    const nlohmann::json held = to_json(referral);
    ManualItem item;
    item.item_id = new_uuid();
    item.kind = "referral";
    item.reference = referral.referral_id;
    item.client_id = referral.client_id;
    item.case_id = referral.case_id;
    item.destination = destinations.front();
    item.reason = "protected_identity";
    item.created_at = p.accepted_at;
    p.manual_item_id = item.item_id;
    p.writes.push_back(store_write::PutManualItem{item});
    ReferralRecord record{referral.referral_id, referral.client_id,
                          referral.case_id,     destinations.front(),
                          referral.person_id,   true,
                          p.accepted_at,        held};
    record.consent_id = referral.consent_id;
    p.writes.push_back(store_write::PutReferral{record});
    CaseEvent e = referral_event(record, kReferralHeld, "knutpunkt");
    e.facts = {
        {"referral_id", referral.referral_id}, {"reason", "protected_identity"}, {"manual_item_id", item.item_id}};
    auto published = publisher_.publish(e, referral.client_id, referral_route_key(held, e.type), referral.referral_id);
    std::move(published.begin(), published.end(), std::back_inserter(p.writes));
    p.audit_body = {
        {"referral_id", referral.referral_id},
        {"referral", held},
        {"destinations", nlohmann::json::array()},
        {"held_for_manual_handling",
         {{"manual_item_id", item.item_id}, {"reason", "protected_identity"}, {"would_go_to", destinations.front()}}}};
    p.referral = std::move(referral);
    return p;
  }

  for (const std::string& d : destinations) {
    OutboxMessage m = new_outbox_message({.destination = d,
                                          .type = kReferralRequested,
                                          .ordering_key = referral.referral_id,
                                          .client_id = referral.client_id,
                                          .case_id = referral.case_id,
                                          .payload = body},
                                         at);
    p.messages.emplace_back(d, m.id);
    p.writes.push_back(store_write::EnqueueMessage{std::move(m)});
  }
  ReferralRecord record{referral.referral_id, referral.client_id,          referral.case_id, destinations.front(),
                        referral.person_id,   referral.protected_identity, p.accepted_at,    body};
  record.consent_id = referral.consent_id;
  p.writes.push_back(store_write::PutReferral{std::move(record)});
  // What was sent where about whom, and on which basis: the auditor's question.
  p.audit_body = {{"referral_id", referral.referral_id}, {"referral", body}, {"destinations", destinations}};
  auto& ids = p.audit_body["message_ids"] = nlohmann::json::array();
  for (const auto& [_, id] : p.messages) ids.push_back(id);
  p.referral = std::move(referral);
  return p;
}

void ReferralService::commit(PreparedReferral prepared, std::vector<StoreWrite> extra,
                             std::function<void(std::expected<AuditReceipt, Failure>)> done) {
  std::move(extra.begin(), extra.end(), std::back_inserter(prepared.writes));
  engine_.submit("referral.accepted", std::move(prepared.audit_body), std::move(prepared.writes),
                 [done = std::move(done)](std::expected<AuditReceipt, StoreError> receipt) {
                   if (!receipt) return done(std::unexpected(Failure{"audit_unavailable", receipt.error().code}));
                   done(*receipt);
                 });
}

void ReferralService::accept_report(const std::string& partner, InboundReport report,
                                    std::function<void(std::expected<ReportOutcome, Failure>)> done) {
  auto referral = store_.referral(report.referral_id);
  if (!referral) return done(std::unexpected(Failure{"store_unavailable", referral.error().code}));
  // A partner may only report on referrals sent to it: another Jobbtorg's id is "unknown" to it.
  if (!*referral || (*referral)->destination != partner) {
    return done(std::unexpected(Failure{"unknown_referral", "no referral with this id was sent to this partner"}));
  }
  std::optional<std::expected<bool, StoreError>> seen;
  auto claim = reports_in_flight_.try_claim_if(std::make_pair(partner, report.partner_message_id), [&] {
    seen = store_.inbound_seen(partner, report.partner_message_id);
    return *seen && !**seen;
  });
  if (!seen) return done(std::unexpected(Failure{"duplicate_in_flight", "this report is being stored right now"}));
  if (!*seen) return done(std::unexpected(Failure{"store_unavailable", seen->error().code}));
  if (**seen) return done(ReportOutcome{true, {}});

  const ReferralRecord& r = **referral;
  std::vector<StoreWrite> writes;
  const std::string received_at = now_utc();
  writes.push_back(store_write::PutInboundReceipt{partner, report.partner_message_id, r.referral_id, received_at});
  writes.push_back(store_write::PutReferralReport{report_record(partner, report, r.referral_id, received_at)});
  // A day already reported is a correction or nothing, never a second day: decided against the
  // stored days while no other report about the referral's attendance commits.
  std::optional<InFlightClaims<std::string>::Claim> attendance_claim;
  nlohmann::json attendance_noted;
  if (r.status != kReferralActive) {
    // Nothing of a withdrawn referral's days is published, so none is kept either (art. 5.1 c
    // GDPR, data minimisation): the audit record says how many were dropped, not what they said.
    if (const int dropped = attendance::AttendanceLedger::drop_attendance(report.events); dropped > 0) {
      attendance_noted = {{"dropped_days", dropped}};
    }
  } else if (attendance::AttendanceLedger::reports_attendance(report.events)) {
    attendance_claim = attendance_in_flight_.try_claim(r.referral_id);
    if (!attendance_claim) {
      return done(std::unexpected(Failure{"referral_busy", "another report about this referral is being stored"}));
    }
    auto decided = attendance_.decide(r, report.partner_message_id, std::move(report.events), received_at);
    if (!decided) return done(std::unexpected(Failure{"store_unavailable", decided.error().code}));
    report.events = std::move(decided->events);
    std::move(decided->writes.begin(), decided->writes.end(), std::back_inserter(writes));
    attendance_noted = std::move(decided->audit);
  }
  ReportOutcome outcome;
  nlohmann::json types = nlohmann::json::array();
  // After a withdrawal the social services may no longer receive Jobbtorg's news about the
  // person through this referral (its consent may be gone): the report is acknowledged, so
  // Jobbtorg stops sending it, and audited, but nothing of it is published.
  outcome.published = r.status == kReferralActive;
  for (ReportedEvent& reported : report.events) {
    if (!outcome.published) {
      types.push_back(reported.type);
      continue;
    }
    CaseEvent e = referral_event(r, reported.type, partner);
    if (!reported.occurred_at.empty()) e.occurred_at = reported.occurred_at;
    e.causation_id = report.partner_message_id;
    e.protected_identity = r.protected_identity || report.protected_identity;
    e.facts = std::move(reported.facts);
    e.facts["referral_id"] = r.referral_id;
    outcome.event_ids.push_back(e.event_id);
    types.push_back(e.type);
    auto published = publisher_.publish(e, r.client_id, referral_route_key(r.referral, e.type), r.referral_id);
    std::move(published.begin(), published.end(), std::back_inserter(writes));
  }
  nlohmann::json body = {{"partner", partner},
                         {"partner_message_id", report.partner_message_id},
                         {"report_type", report.report_type},
                         {"reported_at", report.reported_at},
                         {"referral_id", r.referral_id},
                         {"client_id", r.client_id},
                         {"case_id", r.case_id},
                         {"person_id", r.person_id},
                         {"event_ids", outcome.event_ids},
                         {"event_types", types}};
  if (!outcome.published) body["not_published"] = {{"reason", "referral_withdrawn"}, {"referral_status", r.status}};
  if (!report.deviations.empty()) body["deviations"] = report.deviations;
  if (!attendance_noted.is_null()) body["attendance"] = std::move(attendance_noted);
  engine_.submit(
      "referral.report_received", std::move(body), std::move(writes),
      [claim = std::move(*claim), attendance_claim = std::move(attendance_claim), outcome = std::move(outcome),
       done = std::move(done)](std::expected<AuditReceipt, StoreError> receipt) mutable {
        claim.release();
        if (attendance_claim) attendance_claim->release();
        if (!receipt) return done(std::unexpected(Failure{"audit_unavailable", receipt.error().code}));
        done(std::move(outcome));
      });
}

void ReferralService::register_with(delivery::DeliveryEngine& engine) const {
  const auto settle = [this](const OutboxMessage& message, MessageStatus status, const std::string& reason) {
    return on_settled(message, status, reason);
  };
  engine.add_settlement_handler(kReferralRequested, settle);
  engine.set_default_settlement_handler(settle);
}

std::vector<StoreWrite> ReferralService::on_settled(const OutboxMessage& message, MessageStatus status,
                                                    const std::string& reason) const {
  std::vector<StoreWrite> writes;
  // Withheld: the referral was withdrawn (or its consent ended) before it went; the client knows.
  if (status == MessageStatus::withheld) return writes;
  if (message.type != kReferralRequested) {
    // A case event that could not be pushed: say so in the client's feed only, since pushing it
    // to the webhook that just failed would fail the same way.
    if (status == MessageStatus::dead) {
      Subject subject;
      bool protected_identity = false;
      if (message.payload.is_object()) {
        const auto about = message.payload.value("subject", nlohmann::json::object());
        subject = {about.value("person_id", ""), about.value("id_kind", "")};
        protected_identity = message.payload.value("protected_identity", false);
      }
      const CaseEvent e = new_case_event({.type = "delivery.failed",
                                          .source_partner = "knutpunkt",
                                          .case_id = message.case_id,
                                          .subject = std::move(subject),
                                          .correlation_id = message.ordering_key,
                                          .causation_id = message.id,
                                          .protected_identity = protected_identity,
                                          .facts = {{"message_id", message.id},
                                                    {"destination", message.destination},
                                                    {"message_type", message.type},
                                                    {"reason", reason}}});
      writes.push_back(routing::EventPublisher::feed_only(e, message.client_id));
    }
    return writes;
  }
  const nlohmann::json& referral = message.payload;
  ReferralRecord record;
  record.referral_id = referral.value("referral_id", "");
  record.case_id = referral.value("case_id", "");
  record.client_id = referral.value("client_id", "");
  const auto person = referral.value("person", nlohmann::json::object());
  record.person_id = person.value("person_id", "");
  record.protected_identity = person.value("protected_identity", false);
  record.referral = referral;
  CaseEvent e =
      referral_event(record, status == MessageStatus::delivered ? "referral.sent" : "delivery.failed", "knutpunkt");
  e.causation_id = message.id;
  e.facts = {{"referral_id", record.referral_id}, {"destination", message.destination}, {"message_id", message.id}};
  if (status == MessageStatus::dead) {
    e.facts["message_type"] = message.type;
    e.facts["reason"] = reason;
  }
  return publisher_.publish(e, record.client_id, referral_route_key(referral, e.type), record.referral_id);
}

}  // namespace knutpunkt
