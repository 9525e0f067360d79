#pragma once
// Samordnad individuell plan (2 kap. 7 § SoL, 16 kap. 4 § HSL) between the kommun, whose case
// system coordinates, and the region and others.
//
// Every change runs the plan's pure transition (sip/sip_plan.h), then commits in one transaction:
// the new version, its audit record, a sip.* case event for the coordinating case system, and a
// message through the durable outbox for each participant system the change concerns (ordering
// key: the plan, so a participant sees versions in the order they were made, also after an
// outage). What goes to a participant is decided by the consent at that moment
// (sip_sharing.h) and checked again before each send (release_check), so a withdrawal stops
// what is still queued; the withdrawal notice itself carries no content.
//
// Changes to one plan are made one at a time: a second change while one commits is refused
// (plan_busy) rather than queued, and If-Match guards against changes made from a stale copy.
#include <chrono>
#include <expected>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "audit/audit_log.h"
#include "authorization/exchange_authorizer.h"
#include "config/gateway_config.h"
#include "core/failure.h"
#include "core/in_flight_claims.h"
#include "core/inbound_adapter.h"
#include "delivery/delivery_engine.h"
#include "routing/event_publisher.h"
#include "sip/sip_plan.h"
#include "store/store.h"

namespace knutpunkt::sip_coordination {

// The partner name a SIP consent is recorded under in the consent registry.
inline constexpr const char* kConsentPartner = "sip";

// The consent the client gave for this SIP, as the case system records it at the initiative.
// It goes into the consent registry (partner kConsentPartner) and can be withdrawn there.
struct SipConsentTerms {
  std::string document_reference;  // the signed document in the case system
  std::string given_at;            // UTC date-time
  std::optional<std::string> expires_at;  // date
  std::vector<std::string> organisations;  // participant organisations the plan may be shared with
};

struct SipInitiation {
  sip::Person person;
  SipConsentTerms consent;
  sip::Participant coordinator;  // the caseworker's own unit; gets id "p1"
  bool protected_identity = false;  // the case system knows the person has skyddade personuppgifter
};

// Changes the coordinating case system makes.
struct InviteParticipant {
  sip::Participant participant;
};
struct RemoveParticipant {
  std::string participant_id;
};
struct RecordReply {  // a reply the coordinator received outside knutpunkt (phone, letter)
  std::string participant_id;
  sip::Reply reply = sip::Reply::accepted;
};
struct ScheduleMeeting {
  sip::Meeting meeting;
};
struct EstablishPlan {
  sip::EstablishedContent content;
};
struct RevisePlan {
  sip::Revision revision;
};
struct RecordFollowup {
  sip::FollowupOutcome outcome;
};
struct ClosePlan {
  std::string reason;
};
using SipChange = std::variant<InviteParticipant, RemoveParticipant, RecordReply, ScheduleMeeting, EstablishPlan,
                               RevisePlan, RecordFollowup, ClosePlan>;

// What a change did: the plan at its new version and where it went.
struct SipOutcome {
  SipPlanRecord record;
  nlohmann::json sent = nlohmann::json::array();      // [{participant_id, destination, message_id, type}]
  nlohmann::json not_sent = nlohmann::json::array();  // [{participant_id, reason}]
  std::vector<std::string> event_ids;
  std::int64_t audit_seq = 0;
};

// Who acts: the case system and its caseworker (or, for a participant's message, the partner).
struct SipActor {
  std::string client_id;
  std::string caseworker;
};

class SipCoordinator {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  using Done = std::function<void(std::expected<SipOutcome, Failure>)>;

  SipCoordinator(delivery::DeliveryEngine& engine, Store& store, const routing::EventPublisher& publisher,
                 SipConfig config, Clock clock);

  // Starts a plan for a case the policy step authorised (operation "sip"): records the consent in
  // the registry and the plan at version 1, in one transaction.
  void initiate(const authorization::AuthorizedExchange& authorized, const SipActor& actor, SipInitiation initiation,
                Done done);

  // A change by the coordinating case system. `if_match`: the version the caller last read.
  void change(const SipActor& actor, const std::string& plan_id, std::optional<int> if_match, SipChange change,
              Done done);

  // The plan as stored, if it belongs to `client_id` (another client's plan is unknown_plan).
  std::expected<SipPlanRecord, Failure> plan(const std::string& client_id, const std::string& plan_id) const;
  // One earlier version of it.
  std::expected<nlohmann::json, Failure> plan_version(const std::string& client_id, const std::string& plan_id,
                                                      int version) const;

  // A participant's system reporting through `partner` (InboundReport::plan_id set): a reply to an
  // invitation, or a proposed change (which the coordinator decides on; the plan is unchanged).
  // Deduplicated on the partner's message id like every partner report; `duplicate` when seen.
  struct ParticipantMessageOutcome {
    bool duplicate = false;
    std::vector<std::string> event_ids;
  };
  void accept_participant_message(const std::string& partner, InboundReport report,
                                  std::function<void(std::expected<ParticipantMessageOutcome, Failure>)> done);

  // The consent registry withdraws a SIP consent (partner "sip"): every plan under it records the
  // withdrawal and its participants are told, without content, in the same transaction as the
  // registry's own record (`kind`, `audit_body`, `writes`).
  void withdraw_consent(const ConsentRecord& consent, const std::string& withdrawn_by, std::string kind,
                        nlohmann::json audit_body, std::vector<StoreWrite> writes, AuditLog::OnDurable done);

  // Raises what is due now, once each: sip.meeting_overdue when no meeting came within
  // meeting_within_days of the initiative (utan dröjsmål), sip.followup_due to the case system
  // and the responsible participants when the follow-up date is reached. `done` gets how many.
  void raise_reminders(std::function<void(std::expected<int, StoreError>)> done);

  // Registers release_check for every SIP message type that carries content: each is held to the
  // plan's consent again just before it is sent.
  void register_with(delivery::DeliveryEngine& engine) const;

  // A SIP message with content may go only while its recipient is within the plan's consent.
  std::optional<std::string> release_check(const OutboxMessage& message) const;

 private:
  struct Pending;
  using PlanClaim = InFlightClaims<std::string>::Claim;
  // Why a SIP request was not carried out (answered as a problem naming `field`): unknown_plan,
  // unknown_version (not_found), version_mismatch (precondition_failed), plan_busy (conflict;
  // unavailable for a partner, who sends it again), a transition's code (sip::SipError:
  // invalid_transition, participant_not_in_consent, date_order, ...), store_unavailable and
  // audit_unavailable (unavailable).
  std::expected<PlanClaim, Failure> lock(std::vector<std::string> plan_ids);
  std::expected<bool, Failure> person_protected(const SipPlanRecord& record) const;
  // The writes and audit facts of one committed change from `before` (nullopt: initiation) to `after`.
  Pending build(const SipPlanRecord& base, const std::optional<sip::SipPlan>& before, const sip::SipPlan& after,
                bool protected_identity, const std::string& causation_id) const;
  void commit(std::string kind, Pending pending, nlohmann::json audit_body, PlanClaim claim, Done done);

  delivery::DeliveryEngine& engine_;
  Store& store_;
  const routing::EventPublisher& publisher_;
  SipConfig config_;
  Clock clock_;

  InFlightClaims<std::string> busy_;  // plans with a change being committed
};

}  // namespace knutpunkt::sip_coordination
