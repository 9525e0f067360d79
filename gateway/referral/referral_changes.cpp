#include "referral/referral_changes.h"

#include "core/clock.h"
#include "core/ids.h"
#include "referral/referral_events.h"
#include "referral/referral_service.h"

namespace knutpunkt {

ReferralChanges::ReferralChanges(delivery::DeliveryEngine& engine, Store& store,
                                 const routing::EventPublisher& publisher, Clock clock)
    : engine_(engine), store_(store), publisher_(publisher), clock_(std::move(clock)) {}

std::expected<ReferralRecord, Failure> ReferralChanges::own_referral(const std::string& client_id,
                                                                     const std::string& referral_id) const {
  auto found = store_.referral(referral_id);
  if (!found) return std::unexpected(Failure{"store_unavailable", found.error().code, "", FailureKind::unavailable});
  // Another client's referral does not exist for this one.
  if (!*found || (*found)->client_id != client_id) {
    return std::unexpected(Failure{"not_found", "no such referral", "referral_id", FailureKind::not_found});
  }
  return std::move(**found);
}

OutboxMessage ReferralChanges::message_to_jobbtorg(const ReferralRecord& referral, const char* type,
                                                   nlohmann::json payload) const {
  payload["referral_id"] = referral.referral_id;
  return new_outbox_message({.destination = referral.destination,
                             .type = type,
                             .ordering_key = referral.referral_id,
                             .client_id = referral.client_id,
                             .case_id = referral.case_id,
                             .payload = std::move(payload)},
                            epoch_ms(clock_()));
}

std::expected<PreparedReferralChange, Failure> ReferralChanges::prepare_change(const std::string& client_id,
                                                                               const std::string& referral_id,
                                                                               const ReferralChange& change) const {
  auto current = own_referral(client_id, referral_id);
  if (!current) return std::unexpected(current.error());
  if (current->status != kReferralActive) {
    return std::unexpected(Failure{"referral_withdrawn", "a withdrawn referral cannot be changed", "referral_id"});
  }
  AppliedChange applied = apply_change(current->referral, change);
  PreparedReferralChange p;
  if (applied.empty()) {
    p.referral = std::move(*current);
    p.unchanged = true;
    return p;
  }
  const std::string at = format_utc(clock_());
  p.referral = next_version(*current, std::move(applied.referral), kReferralActive, at);
  p.write.kind = "referral.changed";
  p.write.record = {{"referral_id", referral_id},  {"client", client_id},
                    {"case_id", current->case_id}, {"version", p.referral.version},
                    {"changes", applied.changes},  {"destination", current->destination}};
  p.write.writes.push_back(store_write::ChangeReferral{p.referral});
  // A held referral (protected identity) never went to the outbox: the operator who handles it
  // by another channel reads the change from its audit record and the referral itself.
  if (!current->protected_identity) {
    OutboxMessage m =
        message_to_jobbtorg(p.referral, kReferralChangeMessage,
                            {{"version", p.referral.version}, {"changed_at", at}, {"changes", applied.changes}});
    p.message_id = m.id;
    p.write.record["message_id"] = m.id;
    p.write.writes.push_back(store_write::EnqueueMessage{std::move(m)});
  }
  return p;
}

std::vector<StoreWrite> ReferralChanges::withdrawal_writes(const ReferralRecord& current, const std::string& reason,
                                                           const std::string& cause, nlohmann::json& entry) const {
  const std::string at = format_utc(clock_());
  ReferralRecord next = next_version(current, current.referral, kReferralWithdrawn, at);
  next.referral["withdrawal"] = {{"reason", reason}, {"cause", cause}, {"withdrawn_at", at}};
  std::vector<StoreWrite> writes;
  entry = {{"referral_id", current.referral_id}, {"version", next.version}, {"reason", reason}, {"cause", cause}};
  if (!current.protected_identity) {
    // No content: Jobbtorg learns only that the referral is withdrawn and why.
    OutboxMessage m = message_to_jobbtorg(next, kReferralWithdrawalMessage,
                                          {{"version", next.version}, {"withdrawn_at", at}, {"reason", reason}});
    entry["message_id"] = m.id;
    writes.push_back(store_write::EnqueueMessage{std::move(m)});
  }
  CaseEvent e = referral_event(next, kReferralWithdrawnEvent, "knutpunkt");
  e.facts = {{"referral_id", current.referral_id}, {"reason", reason}, {"cause", cause}};
  auto published =
      publisher_.publish(e, current.client_id, referral_route_key(current.referral, e.type), current.referral_id);
  writes.push_back(store_write::ChangeReferral{std::move(next)});
  std::move(published.begin(), published.end(), std::back_inserter(writes));
  return writes;
}

std::expected<PreparedReferralChange, Failure> ReferralChanges::prepare_withdrawal(const std::string& client_id,
                                                                                   const std::string& referral_id,
                                                                                   const std::string& reason) const {
  auto current = own_referral(client_id, referral_id);
  if (!current) return std::unexpected(current.error());
  PreparedReferralChange p;
  // A withdrawal is final; asking again changes nothing and is answered as the first time.
  if (current->status == kReferralWithdrawn) {
    p.referral = std::move(*current);
    p.unchanged = true;
    return p;
  }
  nlohmann::json entry;
  p.write.writes = withdrawal_writes(*current, reason, "client", entry);
  p.message_id = entry.value("message_id", "");
  p.write.kind = "referral.withdrawn";
  p.write.record = std::move(entry);
  p.write.record["client"] = client_id;
  p.write.record["case_id"] = current->case_id;
  p.write.record["destination"] = current->destination;
  for (const StoreWrite& w : p.write.writes) {
    if (const auto* changed = std::get_if<store_write::ChangeReferral>(&w)) p.referral = changed->referral;
  }
  return p;
}

std::expected<PreparedReferralChange, Failure> ReferralChanges::prepare_decision(
    const std::string& client_id, const std::string& referral_id, const ReferralDecision& decision) const {
  auto current = own_referral(client_id, referral_id);
  if (!current) return std::unexpected(current.error());
  if (current->status != kReferralActive) {
    return std::unexpected(
        Failure{"referral_withdrawn", "Jobbtorg is not told decisions about a withdrawn referral", "referral_id"});
  }
  const std::string at = format_utc(clock_());
  const nlohmann::json told = {{"decision_id", new_uuid()},
                               {"decision", decision.decision},
                               {"period", {{"from", decision.period_from}, {"to", decision.period_to}}},
                               {"reference", decision.reference},
                               {"decided_at", at}};
  PreparedReferralChange p;
  p.referral = std::move(*current);
  p.write.kind = "referral.decision_sent";
  p.write.record = {{"referral_id", referral_id},
                    {"client", client_id},
                    {"case_id", p.referral.case_id},
                    {"destination", p.referral.destination},
                    {"decision", told}};
  if (!p.referral.protected_identity) {
    OutboxMessage m = message_to_jobbtorg(p.referral, kReferralDecisionMessage, told);
    p.message_id = m.id;
    p.write.record["message_id"] = m.id;
    p.write.writes.push_back(store_write::EnqueueMessage{std::move(m)});
  }
  return p;
}

std::expected<PreparedReferralChange, Failure> ReferralChanges::prepare_assessment(
    const std::string& client_id, const std::string& referral_id, const ReferralAssessment& assessment) const {
  auto current = own_referral(client_id, referral_id);
  if (!current) return std::unexpected(current.error());
  if (current->status != kReferralActive) {
    return std::unexpected(
        Failure{"referral_withdrawn", "Jobbtorg is not told assessments about a withdrawn referral", "referral_id"});
  }
  const nlohmann::json told = {{"assessment_id", new_uuid()},
                               {"instrument", assessment.instrument},
                               {"part", assessment.part},
                               {"completed_on", assessment.completed_on},
                               {"results", assessment.results}};
  PreparedReferralChange p;
  p.referral = std::move(*current);
  p.write.kind = "referral.assessment_sent";
  p.write.record = {{"referral_id", referral_id},
                    {"client", client_id},
                    {"case_id", p.referral.case_id},
                    {"person_id", p.referral.person_id},
                    {"destination", p.referral.destination},
                    {"assessment", told}};
  if (!p.referral.protected_identity) {
    OutboxMessage m = message_to_jobbtorg(p.referral, kReferralAssessmentMessage, told);
    p.message_id = m.id;
    p.write.record["message_id"] = m.id;
    p.write.writes.push_back(store_write::EnqueueMessage{std::move(m)});
  }
  return p;
}

void ReferralChanges::withdraw_all(const std::vector<ReferralRecord>& referrals, const std::string& reason,
                                   const std::string& cause, AuditedWrite& write) const {
  nlohmann::json withdrawn = nlohmann::json::array();
  for (const ReferralRecord& r : referrals) {
    if (r.status != kReferralActive) continue;
    nlohmann::json entry;
    auto writes = withdrawal_writes(r, reason, cause, entry);
    std::move(writes.begin(), writes.end(), std::back_inserter(write.writes));
    withdrawn.push_back(std::move(entry));
  }
  if (!withdrawn.empty()) write.record["referrals_withdrawn"] = std::move(withdrawn);
}

std::expected<void, StoreError> ReferralChanges::withdraw_case(const std::string& client_id, const std::string& case_id,
                                                               AuditedWrite& write) const {
  auto referrals = store_.referrals_of_case(client_id, case_id);
  if (!referrals) return std::unexpected(referrals.error());
  withdraw_all(*referrals, "ARENDE_AVSLUTAT", "case_closed", write);
  return {};
}

void ReferralChanges::withdraw_on_consent(const ConsentRecord& consent, AuditedWrite write,
                                          AuditLog::OnDurable done) const {
  auto resting = store_.referrals_on_consent(consent.consent_id);
  if (!resting) return done(std::unexpected(resting.error()));
  withdraw_all(*resting, "SAMTYCKE_ATERKALLAT", "consent_withdrawn", write);
  commit(std::move(write), std::move(done));
}

void ReferralChanges::commit(AuditedWrite write, AuditLog::OnDurable done) const {
  engine_.submit(std::move(write.kind), std::move(write.record), std::move(write.writes), std::move(done));
}

void ReferralChanges::register_with(delivery::DeliveryEngine& engine) const {
  for (const char* type : {kReferralRequested, kReferralChangeMessage, kReferralWithdrawalMessage,
                           kReferralDecisionMessage, kReferralAssessmentMessage}) {
    engine.add_release_check(type, [this](const OutboxMessage& message) { return release_check(message); });
  }
}

std::optional<std::string> ReferralChanges::release_check(const OutboxMessage& message) const {
  // A withdrawal always goes, content-free: whether Jobbtorg got the referral cannot always be
  // known (an attempt whose answer was lost, or whose instance died, may have reached it), and
  // Jobbtorg takes the withdrawal of an anvisning it never had as done.
  if (message.type == kReferralWithdrawalMessage) return std::nullopt;
  const std::string referral_id = message.payload.is_object() ? message.payload.value("referral_id", "") : "";
  auto record = store_.referral(referral_id);
  // Cannot tell whether the referral still holds: do not send (fail closed); the retry asks again.
  if (!record) return "referral_unverifiable";
  if (!*record) return "unknown_referral";
  const ReferralRecord& r = **record;
  if (r.status != kReferralActive) return "referral_withdrawn";
  if (!r.consent_id.empty()) {
    auto consent = store_.consent(r.consent_id);
    if (!consent) return "consent_unverifiable";
    const std::string state = referral_consent_state(*consent, r.client_id, r.person_id, r.destination, clock_());
    if (state != "in_force") return "consent_" + state;
  }
  return std::nullopt;
}

}  // namespace knutpunkt
