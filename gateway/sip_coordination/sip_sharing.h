#pragma once
// What of a plan goes to whom. Pure: the coordinator decides from these and the store.
//
// The coordinating kommun is the case system itself (it reads the plan through the API and its
// case events); every other participant is reached through its own system when one is
// configured (config sip.participant_systems), and by the coordinator outside knutpunkt when
// not. Content goes only to participants the consent covers at that moment
// (sip::sharing_recipients, 12 kap. OSL).
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/gateway_config.h"
#include "sip/sip_plan.h"

namespace knutpunkt::sip_coordination {

// Outbox message types (adapters/sip_region renders them). Only invitations and plan updates
// carry the plan; the others are notices without content.
inline constexpr const char* kInvitation = "sip.invitation";
inline constexpr const char* kPlanUpdated = "sip.plan_updated";
inline constexpr const char* kParticipantRemoved = "sip.participant_removed";
inline constexpr const char* kConsentWithdrawn = "sip.consent_withdrawn";
inline constexpr const char* kClosed = "sip.closed";
inline constexpr const char* kFollowupDue = "sip.followup_due";

bool is_sip_message(const std::string& type);
bool carries_content(const std::string& type);

// The adapter that reaches a participant's own system, or nullopt (reached outside knutpunkt).
std::optional<std::string> participant_system(const std::vector<SipParticipantSystem>& systems,
                                              const std::string& organisation);

// The plan as it leaves knutpunkt: for a person with protected identity without the meeting
// place (no location data on an automated path).
nlohmann::json shareable_plan(const sip::SipPlan& plan, bool protected_identity);

// One message for one participant.
struct Delivery {
  std::string participant_id;
  std::string destination;  // adapter
};
// A participant that gets nothing from this change, and why: "not_connected" (no system of its
// own; the coordinator reaches it), "outside_consent" (the consent does not cover it, or is no
// longer in force).
struct Withheld {
  std::string participant_id;
  std::string reason;
};
struct Recipients {
  std::vector<Delivery> deliveries;
  std::vector<Withheld> withheld;
};

// Who of `candidates` (participant ids) a content message may go to at `now`. The coordinator
// is never a recipient: it is the case system.
Recipients content_recipients(const sip::SipPlan& plan, const std::vector<std::string>& candidates,
                              const std::vector<SipParticipantSystem>& systems,
                              std::chrono::system_clock::time_point now);

// Everyone who may have been sent content of this plan and has a system of its own: those told
// of a withdrawal (which carries no content, so it goes whatever the consent now says).
std::vector<Delivery> ever_informed(const sip::SipPlan& plan, const std::vector<SipParticipantSystem>& systems);

// The participants responsible for what is followed up: the holder of huvudansvar and each
// insats's responsible participant, once each, without the coordinator.
std::vector<std::string> responsible_participants(const sip::SipPlan& plan);

// Every participant currently taking part (invited or accepted), without the coordinator.
std::vector<std::string> taking_part(const sip::SipPlan& plan);

nlohmann::json to_json(const Recipients& recipients);

}  // namespace knutpunkt::sip_coordination
