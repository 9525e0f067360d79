#include "sip_coordination/sip_coordinator.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "core/clock.h"
#include "core/ids.h"
#include "log/log.h"
#include "sip_coordination/sip_sharing.h"

namespace knutpunkt::sip_coordination {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

Failure from_sip_error(const sip::SipError& e) {
  FailureKind kind = FailureKind::invalid;
  if (e.code == "invalid_transition" || e.code == "plan_closed" || e.code == "not_awaiting_reply" ||
      e.code == "already_removed" || e.code == "consent_withdrawn" || e.code == "consent_not_in_force" ||
      e.code == "no_change") {
    kind = FailureKind::conflict;
  } else if (e.code == "participant_not_in_consent") {
    kind = FailureKind::not_allowed;
  }
  return {e.code, e.message, e.field, kind};
}

Failure store_failure(const StoreError& e) {
  return {"store_unavailable", "the store could not be read (" + e.code + "); try again", "", FailureKind::unavailable};
}

Failure audit_failure(std::string message) {
  return {"audit_unavailable", std::move(message), "", FailureKind::unavailable};
}

std::string event_type(sip::Change change) {
  return "sip." + std::string(sip::to_string(change));
}

const sip::Participant* find_participant(const sip::SipPlan& plan, const std::string& id) {
  for (const sip::Participant& p : plan.participants) {
    if (p.participant_id == id) return &p;
  }
  return nullptr;
}

// Participants whose invitation status moved to `to` in this change.
std::vector<std::string> moved_to(const std::optional<sip::SipPlan>& before, const sip::SipPlan& after,
                                  sip::InvitationStatus to) {
  std::vector<std::string> out;
  for (const sip::Participant& p : after.participants) {
    if (p.invitation_status != to) continue;
    const sip::Participant* was = before ? find_participant(*before, p.participant_id) : nullptr;
    if (was == nullptr || was->invitation_status != to) out.push_back(p.participant_id);
  }
  return out;
}

SipPlanRecord record_of(SipPlanRecord base, const sip::SipPlan& plan, const std::string& now) {
  base.plan_id = plan.plan_id;
  base.version = plan.version;
  base.status = std::string(sip::to_string(plan.status));
  base.meeting_at = plan.meeting ? plan.meeting->at : std::string();
  base.followup_due = plan.followup_due.value_or("");
  base.initiated_at = plan.initiated_at;
  base.updated_at = now;
  base.plan = sip::to_json(plan);
  return base;
}

}  // namespace

struct SipCoordinator::Pending {
  SipPlanRecord record;
  std::vector<StoreWrite> writes;
  json sent = json::array();
  json not_sent = json::array();
  std::vector<std::string> event_ids;
  json changes = json::array();
};

SipCoordinator::SipCoordinator(delivery::DeliveryEngine& engine, Store& store, const routing::EventPublisher& publisher,
                               SipConfig config, Clock clock)
    : engine_(engine), store_(store), publisher_(publisher), config_(std::move(config)), clock_(std::move(clock)) {}

std::expected<SipCoordinator::PlanClaim, Failure> SipCoordinator::lock(std::vector<std::string> plan_ids) {
  auto claim = busy_.try_claim(std::move(plan_ids));
  if (!claim)
    return std::unexpected(Failure{"plan_busy", "another change to this plan is being stored; read it and try again"});
  return std::move(*claim);
}

std::expected<bool, Failure> SipCoordinator::person_protected(const SipPlanRecord& record) const {
  if (record.protected_identity) return true;
  auto remembered = store_.is_protected(record.person_id);
  // Cannot tell: protect (fail closed), as the policy step does.
  if (!remembered) {
    log::warn("sip.protected_flag_unreadable", {{"plan_id", record.plan_id}});
    return true;
  }
  return *remembered;
}

SipCoordinator::Pending SipCoordinator::build(const SipPlanRecord& base, const std::optional<sip::SipPlan>& before,
                                              const sip::SipPlan& after, bool protected_identity,
                                              const std::string& causation_id) const {
  const auto now = clock_();
  const std::string now_text = format_utc(now);
  Pending p;
  p.record = record_of(base, after, now_text);
  p.record.protected_identity = protected_identity;
  p.writes.push_back(store_write::PutSipPlan{p.record});

  // One case event per version this change made (a follow-up that closes makes two).
  const int from = before ? before->version : 0;
  std::vector<sip::Change> changes;
  for (const sip::HistoryEntry& h : after.history) {
    if (h.version <= from) continue;
    changes.push_back(h.change);
    p.changes.push_back({{"version", h.version}, {"change", sip::to_string(h.change)}, {"by", h.by}, {"summary", h.summary}});
  }

  // The messages to participants' systems.
  const auto has = [&](sip::Change c) { return std::find(changes.begin(), changes.end(), c) != changes.end(); };
  const sip::Participant* sender = find_participant(after, after.coordinator);
  const auto enqueue = [&](const std::string& type, const Delivery& d, json extra) {
    const sip::Participant* recipient = find_participant(after, d.participant_id);
    json payload = {{"plan_id", after.plan_id},
                    {"plan_version", after.version},
                    {"recipient",
                     {{"participant_id", d.participant_id},
                      {"organisation", recipient ? recipient->organisation : ""},
                      {"unit", recipient ? recipient->unit : ""}}},
                    {"sender",
                     {{"organisation", sender ? sender->organisation : ""}, {"participant_id", after.coordinator}}},
                    {"created_at", now_text},
                    {"protected_identity", protected_identity}};
    payload.update(extra);
    // One key per plan: a participant's system sees the versions in the order they were made,
    // also when it was down in between. Due by the wall clock, as every message is: the engine
    // schedules by it.
    OutboxMessage m = new_outbox_message({.destination = d.destination,
                                          .type = type,
                                          .ordering_key = after.plan_id,
                                          .client_id = base.client_id,
                                          .case_id = base.case_id,
                                          .payload = std::move(payload)},
                                         now_ms());
    p.sent.push_back({{"participant_id", d.participant_id}, {"destination", d.destination}, {"message_id", m.id}, {"type", type}});
    p.writes.push_back(store_write::EnqueueMessage{std::move(m)});
  };
  const auto send_content = [&](const std::string& type, const std::vector<std::string>& candidates, const json& extra) {
    Recipients r = content_recipients(after, candidates, config_.participant_systems, now);
    for (const Delivery& d : r.deliveries) enqueue(type, d, extra);
    for (const Withheld& w : r.withheld) {
      p.not_sent.push_back({{"participant_id", w.participant_id}, {"reason", w.reason}, {"type", type}});
    }
  };
  const json plan_document = {{"plan", shareable_plan(after, protected_identity)}};
  if (has(sip::Change::invited)) send_content(kInvitation, moved_to(before, after, sip::InvitationStatus::invited), plan_document);
  if (has(sip::Change::meeting_scheduled) || has(sip::Change::plan_established) || has(sip::Change::plan_revised) ||
      has(sip::Change::followed_up)) {
    send_content(kPlanUpdated, taking_part(after), plan_document);
  }
  if (has(sip::Change::participant_removed)) {
    // Told it is no longer part of the plan; the notice names nothing but the plan.
    for (const std::string& id : moved_to(before, after, sip::InvitationStatus::removed)) {
      const sip::Participant* removed = find_participant(after, id);
      if (removed == nullptr) continue;
      if (auto system = participant_system(config_.participant_systems, removed->organisation)) {
        enqueue(kParticipantRemoved, {id, *system}, json::object());
      }
    }
  }
  if (has(sip::Change::closed)) send_content(kClosed, taking_part(after), {{"reason", after.close_reason.value_or("")}});
  if (has(sip::Change::consent_withdrawn)) {
    // Everyone who may hold content learns that it may no longer be used: no content, no person.
    for (const Delivery& d : ever_informed(after, config_.participant_systems)) {
      enqueue(kConsentWithdrawn, d, {{"withdrawn_at", after.consent.withdrawn_at.value_or(now_text)}});
    }
  }

  // The case events for the coordinating case system.
  for (const sip::HistoryEntry& h : after.history) {
    if (h.version <= from) continue;
    CaseEvent e = new_case_event({.type = event_type(h.change),
                                  .received_at = h.at,
                                  .source_partner = "knutpunkt",
                                  .case_id = base.case_id,
                                  .subject = {after.person.id, after.person.kind},
                                  .correlation_id = after.plan_id,
                                  .causation_id = causation_id,
                                  .protected_identity = protected_identity,
                                  .facts = {{"plan_id", after.plan_id},
                                            {"plan_version", h.version},
                                            {"status", sip::to_string(after.status)},
                                            {"change", sip::to_string(h.change)},
                                            {"by", h.by},
                                            {"summary", h.summary},
                                            {"sent_to", p.sent},
                                            {"not_sent", p.not_sent}}});
    if (h.change == sip::Change::meeting_scheduled && after.meeting) {
      e.facts["meeting"] = {{"at", after.meeting->at}, {"kind", sip::to_string(after.meeting->kind)}};
      if (protected_identity) e.facts["meeting"]["place_withheld"] = true;
      else e.facts["meeting"]["place"] = after.meeting->place;
      // Utan dröjsmål is measured from the initiative to the meeting.
      const auto initiated = parse_utc(after.initiated_at);
      const auto held = parse_utc(after.meeting->at);
      if (initiated && held) {
        const auto hours = std::chrono::duration_cast<std::chrono::hours>(*held - *initiated).count();
        e.facts["meeting"]["hours_after_initiative"] = hours;
        e.facts["meeting"]["within_limit"] = hours <= 24LL * config_.meeting_within_days;
      }
    }
    if (after.followup_due) e.facts["followup_due"] = *after.followup_due;
    p.event_ids.push_back(e.event_id);
    auto published = publisher_.publish(e, base.client_id, routing::RouteKey{e.type, base.client_id, "", "", ""}, after.plan_id);
    std::move(published.begin(), published.end(), std::back_inserter(p.writes));
  }
  return p;
}

void SipCoordinator::commit(std::string kind, Pending pending, json audit_body, PlanClaim claim, Done done) {
  audit_body["plan_id"] = pending.record.plan_id;
  audit_body["plan_version"] = pending.record.version;
  audit_body["status"] = pending.record.status;
  audit_body["changes"] = pending.changes;
  audit_body["sent_to"] = pending.sent;
  audit_body["not_sent"] = pending.not_sent;
  audit_body["event_ids"] = pending.event_ids;
  audit_body["protected_identity"] = pending.record.protected_identity;
  SipOutcome outcome;
  outcome.record = pending.record;
  outcome.sent = pending.sent;
  outcome.not_sent = pending.not_sent;
  outcome.event_ids = pending.event_ids;
  engine_.submit(std::move(kind), std::move(audit_body), std::move(pending.writes),
                 [claim = std::move(claim), outcome = std::move(outcome),
                  done = std::move(done)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                   claim.release();
                   if (!receipt) {
                     return done(std::unexpected(audit_failure("the change could not be stored; nothing changed")));
                   }
                   outcome.audit_seq = receipt->seq;
                   done(std::move(outcome));
                 });
}

void SipCoordinator::initiate(const authorization::AuthorizedExchange& authorized, const SipActor& actor,
                              SipInitiation initiation, Done done) {
  const auto now = clock_();
  const std::string now_text = format_utc(now);
  ConsentRecord consent;
  consent.consent_id = new_uuid();
  consent.person_id = initiation.person.id;
  consent.id_kind = initiation.person.kind;
  consent.partner = kConsentPartner;
  consent.organisations = {initiation.consent.organisations.begin(), initiation.consent.organisations.end()};
  consent.given_at = initiation.consent.given_at;
  consent.expires_at = initiation.consent.expires_at.value_or("");
  consent.document_reference = initiation.consent.document_reference;
  consent.case_id = authorized.request.case_id;
  consent.client_id = actor.client_id;
  consent.organisation = authorized.organisation;
  consent.held_by = authorized.organisation;
  consent.recorded_at = now_text;

  sip::Consent plan_consent{consent.consent_id, initiation.consent.organisations, initiation.consent.given_at,
                            initiation.consent.expires_at, std::nullopt};
  initiation.coordinator.participant_id = "p1";
  auto plan = sip::initiate(new_uuid(), initiation.person, std::move(plan_consent), initiation.coordinator,
                            sip::ChangeStamp{actor.caseworker, now});
  if (!plan) return done(std::unexpected(from_sip_error(plan.error())));

  const bool flagged_now = initiation.protected_identity && !authorized.known_protected;
  const bool protected_identity = initiation.protected_identity || authorized.known_protected;
  SipPlanRecord base;
  base.client_id = actor.client_id;
  base.case_id = authorized.request.case_id;
  base.person_id = initiation.person.id;
  base.consent_id = consent.consent_id;
  auto claim = lock({plan->plan_id});
  if (!claim) return done(std::unexpected(claim.error()));
  Pending pending = build(base, std::nullopt, *plan, protected_identity, "");
  pending.writes.insert(pending.writes.begin(), store_write::PutConsent{consent});
  if (flagged_now) {
    pending.writes.push_back(store_write::RememberProtected{initiation.person.id, actor.client_id, now_text});
  }
  json body = {{"client", actor.client_id},
               {"caseworker", {{"id", actor.caseworker}}},
               {"case_id", base.case_id},
               {"person_id", base.person_id},
               {"purpose", authorized.request.purpose},
               {"legal_basis", "consent"},
               {"consent",
                {{"consent_id", consent.consent_id},
                 {"organisations", initiation.consent.organisations},
                 {"document_reference", consent.document_reference},
                 {"given_at", consent.given_at},
                 {"expires_at", consent.expires_at}}}};
  commit("sip.initiated", std::move(pending), std::move(body), std::move(*claim), std::move(done));
}

std::expected<SipPlanRecord, Failure> SipCoordinator::plan(const std::string& client_id,
                                                           const std::string& plan_id) const {
  auto record = store_.sip_plan(plan_id);
  if (!record) return std::unexpected(store_failure(record.error()));
  // Another client's plan does not exist as far as this client can tell.
  if (!*record || (*record)->client_id != client_id) {
    return std::unexpected(
        Failure{"unknown_plan", "no plan with this id belongs to this client", "plan_id", FailureKind::not_found});
  }
  return **record;
}

std::expected<json, Failure> SipCoordinator::plan_version(const std::string& client_id, const std::string& plan_id,
                                                          int version) const {
  auto current = plan(client_id, plan_id);
  if (!current) return std::unexpected(current.error());
  auto document = store_.sip_plan_version(plan_id, version);
  if (!document) return std::unexpected(store_failure(document.error()));
  if (!*document) {
    return std::unexpected(
        Failure{"unknown_version", "the plan has no such version", "version", FailureKind::not_found});
  }
  return **document;
}

void SipCoordinator::change(const SipActor& actor, const std::string& plan_id, std::optional<int> if_match,
                            SipChange change, Done done) {
  auto claim = lock({plan_id});
  if (!claim) return done(std::unexpected(claim.error()));
  const auto fail = [&](Failure f) {
    claim->release();
    done(std::unexpected(std::move(f)));
  };
  auto record = plan(actor.client_id, plan_id);
  if (!record) return fail(record.error());
  if (if_match && *if_match != record->version) {
    return fail({"version_mismatch",
                 "the plan is at version " + std::to_string(record->version) + "; read it again before changing it",
                 "If-Match", FailureKind::precondition_failed});
  }
  auto current = sip::from_json(record->plan);
  if (!current) {
    log::error("sip.stored_plan_unreadable", {{"plan_id", plan_id}, {"field", current.error().front().field}});
    return fail({"store_unavailable", "the stored plan could not be read", "", FailureKind::unavailable});
  }
  auto protected_identity = person_protected(*record);
  if (!protected_identity) return fail(protected_identity.error());
  const sip::ChangeStamp stamp{actor.caseworker, clock_()};
  const sip::SipPlan& before = *current;
  sip::SipResult next = std::visit(
      [&](auto& c) -> sip::SipResult {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, InviteParticipant>) {
          c.participant.participant_id = "p" + std::to_string(before.participants.size() + 1);
          return sip::invite(before, std::move(c.participant), stamp);
        } else if constexpr (std::is_same_v<T, RemoveParticipant>) {
          return sip::remove_participant(before, c.participant_id, stamp);
        } else if constexpr (std::is_same_v<T, RecordReply>) {
          return sip::record_reply(before, c.participant_id, c.reply, stamp);
        } else if constexpr (std::is_same_v<T, ScheduleMeeting>) {
          // A protected person's plan carries no place (skyddade personuppgifter): the coordinator
          // gives it by a channel fit for it.
          if (*protected_identity) c.meeting.place.clear();
          return sip::schedule_meeting(before, std::move(c.meeting), stamp);
        } else if constexpr (std::is_same_v<T, EstablishPlan>) {
          return sip::establish(before, std::move(c.content.content), std::move(c.content.followup_due), stamp);
        } else if constexpr (std::is_same_v<T, RevisePlan>) {
          return sip::revise(before, std::move(c.revision), stamp);
        } else if constexpr (std::is_same_v<T, RecordFollowup>) {
          return sip::record_followup(before, std::move(c.outcome), stamp);
        } else {
          return sip::close(before, std::move(c.reason), stamp);
        }
      },
      change);
  if (!next) return fail(from_sip_error(next.error()));
  Pending pending = build(*record, before, *next, *protected_identity, "");
  const std::string kind = event_type(next->history.back().change);
  json body = {{"client", actor.client_id},
               {"caseworker", {{"id", actor.caseworker}}},
               {"case_id", record->case_id},
               {"person_id", record->person_id},
               {"consent_id", record->consent_id}};
  commit(kind, std::move(pending), std::move(body), std::move(*claim), std::move(done));
}

void SipCoordinator::accept_participant_message(
    const std::string& partner, InboundReport report,
    std::function<void(std::expected<ParticipantMessageOutcome, Failure>)> done) {
  const auto unknown =
      Failure{"unknown_plan", "no plan with this id is shared with this partner", "plan_id", FailureKind::not_found};
  auto claim = lock({report.plan_id});
  if (!claim) {
    // A partner retries what was not taken: "not now", not "never".
    return done(std::unexpected(
        Failure{"plan_busy", "the plan is being changed; send it again shortly", "", FailureKind::unavailable}));
  }
  const auto fail = [&](Failure f) {
    claim->release();
    done(std::unexpected(std::move(f)));
  };
  auto stored = store_.sip_plan(report.plan_id);
  if (!stored) return fail(store_failure(stored.error()));
  if (!*stored) return fail(unknown);
  const SipPlanRecord& record = **stored;
  auto current = sip::from_json(record.plan);
  if (!current) return fail({"store_unavailable", "the stored plan could not be read", "", FailureKind::unavailable});
  // A partner speaks only for its own participants: any other id is as unknown as a wrong plan.
  const sip::Participant* participant = find_participant(*current, report.participant_id);
  if (participant == nullptr || participant->participant_id == current->coordinator ||
      participant_system(config_.participant_systems, participant->organisation) != partner) {
    return fail(unknown);
  }
  auto seen = store_.inbound_seen(partner, report.partner_message_id);
  if (!seen) return fail(store_failure(seen.error()));
  if (*seen) {
    claim->release();
    return done(ParticipantMessageOutcome{true, {}});
  }
  const auto now = clock_();
  const auto allowed = sip::sharing_recipients(*current, now);
  if (std::find(allowed.begin(), allowed.end(), participant->participant_id) == allowed.end()) {
    return fail({"consent_not_in_force", "the plan's consent does not cover this participant now; nothing was recorded",
                 "participant_id", FailureKind::not_allowed});
  }
  auto protected_identity = person_protected(record);
  if (!protected_identity) return fail(protected_identity.error());
  const bool protect = *protected_identity || report.protected_identity;

  sip::SipPlan plan = *current;
  std::vector<StoreWrite> writes;
  std::vector<std::string> event_ids;
  json types = json::array();
  for (const ReportedEvent& reported : report.events) {
    types.push_back(reported.type);
    if (reported.type == "sip.reply_received") {
      const std::string reply = reported.facts.is_object() ? reported.facts.value("reply", "") : "";
      auto next = sip::record_reply(plan, participant->participant_id,
                                    reply == "declined" ? sip::Reply::declined : sip::Reply::accepted,
                                    sip::ChangeStamp{participant->participant_id, now});
      if (!next) return fail(from_sip_error(next.error()));
      Pending p = build(record, plan, *next, protect, report.partner_message_id);
      std::move(p.writes.begin(), p.writes.end(), std::back_inserter(writes));
      event_ids.insert(event_ids.end(), p.event_ids.begin(), p.event_ids.end());
      plan = std::move(*next);
    } else {
      // A proposal is the participant's view; the coordinator decides whether the plan changes.
      CaseEvent e = new_case_event({.type = reported.type,
                                    .occurred_at = reported.occurred_at,
                                    .received_at = format_utc(now),
                                    .source_partner = partner,
                                    .case_id = record.case_id,
                                    .subject = {plan.person.id, plan.person.kind},
                                    .correlation_id = plan.plan_id,
                                    .causation_id = report.partner_message_id,
                                    .protected_identity = protect,
                                    .facts = reported.facts});
      e.facts["plan_id"] = plan.plan_id;
      e.facts["plan_version"] = plan.version;
      e.facts["participant_id"] = participant->participant_id;
      e.facts["organisation"] = participant->organisation;
      event_ids.push_back(e.event_id);
      auto published = publisher_.publish(e, record.client_id, routing::RouteKey{e.type, record.client_id, "", "", ""},
                                           plan.plan_id);
      std::move(published.begin(), published.end(), std::back_inserter(writes));
    }
  }
  writes.push_back(store_write::PutInboundReceipt{partner, report.partner_message_id, plan.plan_id, format_utc(now)});
  json body = {{"partner", partner},
               {"partner_message_id", report.partner_message_id},
               {"report_type", report.report_type},
               {"reported_at", report.reported_at},
               {"plan_id", plan.plan_id},
               {"plan_version", plan.version},
               {"participant_id", participant->participant_id},
               {"client_id", record.client_id},
               {"case_id", record.case_id},
               {"person_id", record.person_id},
               {"event_types", types},
               {"event_ids", event_ids}};
  engine_.submit("sip.participant_message_received", std::move(body), std::move(writes),
                 [claim = std::move(*claim), event_ids,
                  done = std::move(done)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                   claim.release();
                   if (!receipt)
                     return done(std::unexpected(audit_failure("the message could not be stored; send it again")));
                   done(ParticipantMessageOutcome{false, event_ids});
                 });
}

void SipCoordinator::withdraw_consent(const ConsentRecord& consent, const std::string& withdrawn_by, std::string kind,
                                      json audit_body, std::vector<StoreWrite> writes, AuditLog::OnDurable done) {
  auto plans = store_.sip_plans_with_consent(consent.consent_id);
  if (!plans) return done(std::unexpected(plans.error()));
  std::vector<std::string> ids;
  for (const SipPlanRecord& r : *plans) ids.push_back(r.plan_id);
  auto claim = lock(std::move(ids));
  if (!claim) return done(std::unexpected(StoreError{"busy", "a plan under this consent is being changed"}));
  const auto now = clock_();
  json affected = json::array();
  for (const SipPlanRecord& record : *plans) {
    auto current = sip::from_json(record.plan);
    if (!current) {
      claim->release();
      return done(std::unexpected(StoreError{"unreadable_plan", "a stored plan could not be read"}));
    }
    if (current->status == sip::Status::closed || current->consent.withdrawn_at) continue;
    auto next = sip::withdraw_consent(*current, sip::ChangeStamp{withdrawn_by, now});
    if (!next) continue;  // nothing to withdraw in this plan's state
    auto protected_identity = person_protected(record);
    Pending p = build(record, *current, *next, !protected_identity || *protected_identity, "");
    std::move(p.writes.begin(), p.writes.end(), std::back_inserter(writes));
    affected.push_back({{"plan_id", record.plan_id}, {"plan_version", next->version}, {"sent_to", p.sent},
                        {"event_ids", p.event_ids}});
  }
  audit_body["sip_plans"] = affected;
  engine_.submit(
      std::move(kind), std::move(audit_body), std::move(writes),
      [claim = std::move(*claim), done = std::move(done)](std::expected<AuditReceipt, StoreError> receipt) mutable {
        claim.release();
        done(std::move(receipt));
      });
}

void SipCoordinator::raise_reminders(std::function<void(std::expected<int, StoreError>)> done) {
  const auto now = clock_();
  struct Round {
    std::atomic<int> outstanding{1};  // one for the scan itself
    std::atomic<int> raised{0};
    std::function<void(std::expected<int, StoreError>)> done;
    void finish() {
      if (--outstanding == 0) done(raised.load());
    }
  };
  auto round = std::make_shared<Round>();
  round->done = std::move(done);
  std::string after;
  for (;;) {
    auto page = store_.open_sip_plans(after, 200);
    if (!page) return round->done(std::unexpected(page.error()));
    if (page->empty()) break;
    after = page->back().plan_id;
    for (const SipPlanRecord& listed : *page) {
      struct Reminder {
        std::string kind, key;
      };
      std::vector<Reminder> due;
      // Under the plan's lock, from the plan as it is now: the page may be older than a change
      // just made, and a reminder committing releases the lock only once it is stored.
      const auto recheck = [&]() -> std::optional<std::pair<SipPlanRecord, sip::SipPlan>> {
        auto fresh = store_.sip_plan(listed.plan_id);
        if (!fresh || !*fresh) return std::nullopt;
        auto plan = sip::from_json((*fresh)->plan);
        if (!plan) return std::nullopt;
        if (sip::meeting_overdue(*plan, now, config_.meeting_within_days)) {
          due.push_back({"meeting_overdue", plan->initiated_at});
        }
        if (sip::followup_due(*plan, now)) due.push_back({"followup_due", *plan->followup_due});
        std::erase_if(due, [&](const Reminder& r) {
          auto raised = store_.sip_reminder_raised(listed.plan_id, r.kind, r.key);
          return !raised || *raised;
        });
        return std::make_pair(std::move(**fresh), std::move(*plan));
      };
      // A plan being changed is looked at again next round.
      auto claim = lock({listed.plan_id});
      if (!claim) continue;
      auto current = recheck();
      if (!current || due.empty()) {
        claim->release();
        continue;
      }
      const SipPlanRecord& record = current->first;
      const sip::SipPlan* plan = &current->second;
      // One commit per reminder; the lock is held until the last is stored.
      auto remaining = std::make_shared<std::atomic<int>>(static_cast<int>(due.size()));
      for (const Reminder& r : due) {
        auto protected_identity = person_protected(record);
        const bool protect = !protected_identity || *protected_identity;
        const std::string now_text = format_utc(now);
        CaseEvent e = new_case_event({.type = "sip." + r.kind,
                                      .received_at = now_text,
                                      .source_partner = "knutpunkt",
                                      .case_id = record.case_id,
                                      .subject = {plan->person.id, plan->person.kind},
                                      .correlation_id = plan->plan_id,
                                      .protected_identity = protect,
                                      .facts = {{"plan_id", plan->plan_id},
                                                {"plan_version", plan->version},
                                                {"status", sip::to_string(plan->status)},
                                                {"initiated_at", plan->initiated_at}}});
        std::vector<StoreWrite> writes;
        json sent = json::array(), not_sent = json::array();
        if (r.kind == "meeting_overdue") {
          e.facts["meeting_within_days"] = config_.meeting_within_days;
          e.facts["meeting_at"] = plan->meeting ? json(plan->meeting->at) : json(nullptr);
        } else {
          e.facts["followup_due"] = *plan->followup_due;
          const std::vector<std::string> responsible = responsible_participants(*plan);
          e.facts["responsible"] = responsible;
          Recipients to = content_recipients(*plan, responsible, config_.participant_systems, now);
          const sip::Participant* sender = find_participant(*plan, plan->coordinator);
          for (const Delivery& d : to.deliveries) {
            const sip::Participant* recipient = find_participant(*plan, d.participant_id);
            // Due by the wall clock, as every message is: the engine schedules by it.
            OutboxMessage m =
                new_outbox_message({.destination = d.destination,
                                    .type = kFollowupDue,
                                    .ordering_key = plan->plan_id,
                                    .client_id = record.client_id,
                                    .case_id = record.case_id,
                                    .payload = {{"plan_id", plan->plan_id},
                                                {"plan_version", plan->version},
                                                {"recipient",
                                                 {{"participant_id", d.participant_id},
                                                  {"organisation", recipient ? recipient->organisation : ""},
                                                  {"unit", recipient ? recipient->unit : ""}}},
                                                {"sender",
                                                 {{"organisation", sender ? sender->organisation : ""},
                                                  {"participant_id", plan->coordinator}}},
                                                {"created_at", now_text},
                                                {"protected_identity", protect},
                                                {"followup_due", *plan->followup_due}}},
                                   now_ms());
            sent.push_back({{"participant_id", d.participant_id}, {"destination", d.destination}, {"message_id", m.id}, {"type", m.type}});
            writes.push_back(store_write::EnqueueMessage{std::move(m)});
          }
          for (const Withheld& w : to.withheld) not_sent.push_back({{"participant_id", w.participant_id}, {"reason", w.reason}});
        }
        e.facts["sent_to"] = sent;
        e.facts["not_sent"] = not_sent;
        auto published = publisher_.publish(e, record.client_id, routing::RouteKey{e.type, record.client_id, "", "", ""},
                                            plan->plan_id);
        std::move(published.begin(), published.end(), std::back_inserter(writes));
        writes.push_back(store_write::PutSipReminder{record.plan_id, r.kind, r.key, now_text});
        json body = {{"client_id", record.client_id}, {"case_id", record.case_id},   {"person_id", record.person_id},
                     {"plan_id", plan->plan_id},      {"plan_version", plan->version}, {"reminder", r.kind},
                     {"due_key", r.key},              {"sent_to", sent},             {"not_sent", not_sent},
                     {"event_ids", {e.event_id}}};
        ++round->outstanding;
        engine_.submit(e.type, std::move(body), std::move(writes),
                       [round, remaining, claim = *claim](std::expected<AuditReceipt, StoreError> receipt) mutable {
                         if (--*remaining == 0) claim.release();
                         if (receipt) ++round->raised;
                         round->finish();
                       });
      }
    }
  }
  round->finish();
}

void SipCoordinator::register_with(delivery::DeliveryEngine& engine) const {
  for (const char* type : {kInvitation, kPlanUpdated, kParticipantRemoved, kConsentWithdrawn, kClosed, kFollowupDue}) {
    if (!carries_content(type)) continue;
    engine.add_release_check(type, [this](const OutboxMessage& message) { return release_check(message); });
  }
}

std::optional<std::string> SipCoordinator::release_check(const OutboxMessage& message) const {
  if (!is_sip_message(message.type) || !carries_content(message.type)) return std::nullopt;
  if (!message.payload.is_object() || !message.payload.value("recipient", json()).is_object()) return "unreadable_message";
  const std::string plan_id = message.payload.value("plan_id", "");
  const std::string participant_id =
      message.payload.value("recipient", json::object()).value("participant_id", "");
  auto record = store_.sip_plan(plan_id);
  // Cannot tell whether sharing is still allowed: do not share (fail closed).
  if (!record) return "consent_unverifiable";
  if (!*record) return "unknown_plan";
  auto plan = sip::from_json((*record)->plan);
  if (!plan) return "consent_unverifiable";
  const auto allowed = sip::sharing_recipients(*plan, clock_());
  if (std::find(allowed.begin(), allowed.end(), participant_id) == allowed.end()) {
    return plan->consent.withdrawn_at ? "consent_withdrawn" : "outside_consent";
  }
  return std::nullopt;
}

}  // namespace knutpunkt::sip_coordination
