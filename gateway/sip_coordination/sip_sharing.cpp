#include "sip_coordination/sip_sharing.h"

#include <algorithm>

namespace knutpunkt::sip_coordination {

bool is_sip_message(const std::string& type) {
  return type == kInvitation || type == kPlanUpdated || type == kParticipantRemoved || type == kConsentWithdrawn ||
         type == kClosed || type == kFollowupDue;
}

bool carries_content(const std::string& type) {
  // A follow-up reminder names the plan and its date, which is about the person: held to the
  // consent like content. The notices that someone is out of the plan (removed, consent
  // withdrawn) name nothing but the plan, and must go out whatever the consent now says.
  return type != kConsentWithdrawn && type != kParticipantRemoved;
}

std::optional<std::string> participant_system(const std::vector<SipParticipantSystem>& systems,
                                              const std::string& organisation) {
  for (const SipParticipantSystem& s : systems) {
    const bool prefix = !s.organisation.empty() && s.organisation.back() == '/';
    if (prefix ? organisation.starts_with(s.organisation) : organisation == s.organisation) return s.adapter;
  }
  return std::nullopt;
}

nlohmann::json shareable_plan(const sip::SipPlan& plan, bool protected_identity) {
  nlohmann::json document = sip::to_json(plan);
  if (protected_identity && document.contains("meeting") && document["meeting"].is_object()) {
    document["meeting"]["place"] = "";
  }
  return document;
}

namespace {

const sip::Participant* find(const sip::SipPlan& plan, const std::string& participant_id) {
  for (const sip::Participant& p : plan.participants) {
    if (p.participant_id == participant_id) return &p;
  }
  return nullptr;
}

}  // namespace

Recipients content_recipients(const sip::SipPlan& plan, const std::vector<std::string>& candidates,
                              const std::vector<SipParticipantSystem>& systems,
                              std::chrono::system_clock::time_point now) {
  const std::vector<std::string> allowed = sip::sharing_recipients(plan, now);
  Recipients out;
  for (const std::string& id : candidates) {
    if (id == plan.coordinator) continue;
    const sip::Participant* p = find(plan, id);
    if (p == nullptr) continue;
    if (std::find(allowed.begin(), allowed.end(), id) == allowed.end()) {
      out.withheld.push_back({id, "outside_consent"});
      continue;
    }
    if (auto system = participant_system(systems, p->organisation)) {
      out.deliveries.push_back({id, *system});
    } else {
      out.withheld.push_back({id, "not_connected"});
    }
  }
  return out;
}

std::vector<Delivery> ever_informed(const sip::SipPlan& plan, const std::vector<SipParticipantSystem>& systems) {
  std::vector<Delivery> out;
  for (const sip::Participant& p : plan.participants) {
    if (p.participant_id == plan.coordinator || p.invitation_status == sip::InvitationStatus::not_invited) continue;
    if (auto system = participant_system(systems, p.organisation)) out.push_back({p.participant_id, *system});
  }
  return out;
}

std::vector<std::string> responsible_participants(const sip::SipPlan& plan) {
  std::vector<std::string> out;
  const auto add = [&](const std::string& id) {
    if (!id.empty() && id != plan.coordinator && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  if (plan.huvudansvar) add(*plan.huvudansvar);
  for (const sip::Insats& i : plan.insatser) add(i.responsible_participant_id);
  return out;
}

std::vector<std::string> taking_part(const sip::SipPlan& plan) {
  std::vector<std::string> out;
  for (const sip::Participant& p : plan.participants) {
    if (p.participant_id == plan.coordinator) continue;
    if (p.invitation_status == sip::InvitationStatus::invited || p.invitation_status == sip::InvitationStatus::accepted) {
      out.push_back(p.participant_id);
    }
  }
  return out;
}

nlohmann::json to_json(const Recipients& recipients) {
  nlohmann::json sent = nlohmann::json::array();
  for (const Delivery& d : recipients.deliveries) sent.push_back({{"participant_id", d.participant_id}, {"destination", d.destination}});
  nlohmann::json not_sent = nlohmann::json::array();
  for (const Withheld& w : recipients.withheld) not_sent.push_back({{"participant_id", w.participant_id}, {"reason", w.reason}});
  return {{"sent_to", sent}, {"not_sent", not_sent}};
}

}  // namespace knutpunkt::sip_coordination
