#include "consent/consent_registry.h"

#include "consent/consent_check.h"
#include "core/clock.h"
#include "core/ids.h"

namespace knutpunkt::consent {

std::string state_at(const ConsentRecord& c, std::chrono::system_clock::time_point now) {
  // Judged for one of its own information types: scope is not the question here, time is. A SIP
  // consent is scoped by organisations instead; its time is judged the same way.
  ConsentRecord timed = c;
  if (timed.information_types.empty()) timed.information_types = {"*"};
  switch (check({timed}, c.partner, *timed.information_types.begin(), now).verdict) {
    case Verdict::valid:
      return "in_force";
    case Verdict::withdrawn:
      return "withdrawn";
    case Verdict::expired:
      return "expired";
    default:
      return "not_yet_valid";
  }
}

nlohmann::json to_json(const ConsentRecord& c, std::chrono::system_clock::time_point now) {
  nlohmann::json out = {{"consent_id", c.consent_id},
                        {"person_id", c.person_id},
                        {"partner", c.partner},
                        {"information_types", c.information_types},
                        {"given_at", c.given_at},
                        {"expires_at", c.expires_at},
                        {"document_reference", c.document_reference},
                        {"case_id", c.case_id},
                        {"recorded_at", c.recorded_at},
                        {"held_by", c.held_by},
                        {"state", state_at(c, now)}};
  if (!c.withdrawn_at.empty()) out["withdrawn_at"] = c.withdrawn_at;
  // A SIP consent's scope is organisations (participants), not information types.
  if (!c.organisations.empty()) out["organisations"] = c.organisations;
  return out;
}

void ConsentRegistry::on_withdrawal(std::string partner, WithdrawalHandler handler) {
  withdrawal_handlers_[std::move(partner)] = std::move(handler);
}

std::pair<ConsentRecord, AuditedWrite> ConsentRegistry::prepare_record(
    ConsentRecord c, std::chrono::system_clock::time_point now) const {
  c.consent_id = new_uuid();
  c.recorded_at = format_utc(now);
  nlohmann::json record = to_json(c, now);
  record["client"] = c.client_id;
  record["organisation"] = c.organisation;
  return {c, AuditedWrite{"consent.recorded", std::move(record), {store_write::PutConsent{c}}}};
}

std::expected<WithdrawalPlan, StoreError> ConsentRegistry::prepare_withdrawal(
    const std::string& client_id, const std::string& organisation, const std::string& consent_id,
    std::chrono::system_clock::time_point now) const {
  auto found = store_.consent(consent_id);
  if (!found) return std::unexpected(found.error());
  if (!*found || organisation.empty() || (*found)->organisation != organisation) return NotFound{};
  ConsentRecord c = std::move(**found);
  if (!c.withdrawn_at.empty()) return AlreadyWithdrawn{std::move(c)};  // asking again changes nothing
  c.withdrawn_at = format_utc(now);
  nlohmann::json record = to_json(c, now);
  record["client"] = client_id;
  record["organisation"] = organisation;
  AuditedWrite write{
      "consent.withdrawn", std::move(record), {store_write::WithdrawConsent{c.consent_id, c.withdrawn_at}}};
  return Withdrawal{std::move(c), std::move(write)};
}

void ConsentRegistry::commit_withdrawal(Withdrawal w, const std::string& withdrawn_by, AuditLog::OnDurable done) const {
  if (auto handler = withdrawal_handlers_.find(w.consent.partner); handler != withdrawal_handlers_.end()) {
    return handler->second(w.consent, withdrawn_by, std::move(w.write), std::move(done));
  }
  commit_(std::move(w.write), std::move(done));
}

std::expected<std::vector<ConsentRecord>, StoreError> ConsentRegistry::recorded_by(const std::string& organisation,
                                                                                   const std::string& person_id) const {
  auto all = store_.consents_for_person(person_id);
  if (!all) return std::unexpected(all.error());
  std::vector<ConsentRecord> own;
  for (ConsentRecord& c : *all) {
    if (!organisation.empty() && c.organisation == organisation) own.push_back(std::move(c));
  }
  return own;
}

}  // namespace knutpunkt::consent
