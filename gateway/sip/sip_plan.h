#pragma once
// A samordnad individuell plan (SIP; 2 kap. 7 § SoL, 16 kap. 4 § HSL) as knutpunkt keeps and
// sends it (schemas/sip/sip-plan.v1.schema.json), and the rules for changing it.
//
// Every change is a pure function from one plan to the next: it either returns the new plan
// (version + 1, one more history entry) or a SipError and leaves nothing changed. Storing the
// plan, emitting sip.* case events and sending to participants are the caller's business.
//
// Protected persons: the plan has no address or location field at all, so a person with
// skyddade personuppgifter can be in any plan without special handling here; a participant's
// contact is the staff member's work contact, never the client's.
#include <chrono>
#include <expected>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace knutpunkt::sip {

inline constexpr int kSipPlanSchemaVersion = 1;

enum class Status { initiated, invited, meeting_scheduled, plan_established, followed_up, closed };
enum class OrganisationKind { kommun, region, forsakringskassan, arbetsformedlingen, other };
enum class InvitationStatus { not_invited, invited, accepted, declined, removed };
enum class MeetingKind { fysiskt, digitalt };
enum class Reply { accepted, declined };
// The history's change codes; each maps to one sip.* case event.
enum class Change {
  initiated,
  invited,
  participant_removed,
  reply_received,
  meeting_scheduled,
  plan_established,
  plan_revised,
  followed_up,
  consent_withdrawn,
  closed,
};

std::string_view to_string(Status status);
std::string_view to_string(OrganisationKind kind);
std::string_view to_string(InvitationStatus status);
std::string_view to_string(MeetingKind kind);
std::string_view to_string(Change change);

struct Person {
  std::string id;    // 12 digits, normalised at the edge (policy/person_id.h)
  std::string kind;  // "personnummer" | "samordningsnummer"
  bool operator==(const Person&) const = default;
};

// 12 kap. OSL: the consent lifts secrecy only towards the organisations in `scope`, only while
// in force.
struct Consent {
  std::string reference;
  std::vector<std::string> scope;           // participant `organisation` ids
  std::string given_at;                     // UTC date-time
  std::optional<std::string> expires_at;    // date; the whole of that day is covered
  std::optional<std::string> withdrawn_at;  // UTC date-time
  bool operator==(const Consent&) const = default;
};

struct Contact {
  std::string name;
  std::string phone;
  std::string email;
  bool operator==(const Contact&) const = default;
};

struct Participant {
  std::string participant_id;
  std::string organisation;  // e.g. "region-stockholm/vardcentral-farsta"
  OrganisationKind organisation_kind = OrganisationKind::other;
  std::string unit;
  std::string role;
  Contact contact;
  InvitationStatus invitation_status = InvitationStatus::not_invited;
  std::optional<std::string> replied_at;  // UTC date-time
  bool operator==(const Participant&) const = default;
};

struct Need {
  std::string need_id;
  std::string description;
  bool operator==(const Need&) const = default;
};

struct Goal {
  std::string goal_id;
  std::string description;
  std::vector<std::string> need_ids;
  bool operator==(const Goal&) const = default;
};

struct Insats {
  std::string insats_id;
  std::string description;
  OrganisationKind responsible_huvudman = OrganisationKind::other;
  std::string responsible_participant_id;
  std::string start_date;               // date
  std::optional<std::string> end_date;  // date; open-ended when absent
  bool operator==(const Insats&) const = default;
};

struct ActionByOther {
  std::string description;
  std::string by;  // e.g. "anhörig", "god man"
  bool operator==(const ActionByOther&) const = default;
};

struct Meeting {
  std::string at;  // UTC date-time
  std::string place;
  MeetingKind kind = MeetingKind::fysiskt;
  bool operator==(const Meeting&) const = default;
};

struct HistoryEntry {
  int version = 0;
  std::string at;  // UTC date-time
  std::string by;  // participant or caseworker id, never a name
  Change change = Change::initiated;
  std::string summary;
  bool operator==(const HistoryEntry&) const = default;
};

struct SipPlan {
  std::string plan_id;
  int version = 0;
  Person person;
  Consent consent;
  std::vector<Participant> participants;
  std::vector<Need> needs;
  std::vector<Goal> goals;
  std::vector<Insats> insatser;
  std::vector<ActionByOther> actions_by_others;
  std::optional<std::string> huvudansvar;  // participant_id
  std::string coordinator;                 // participant_id
  std::optional<Meeting> meeting;
  std::optional<std::string> followup_due;  // date
  Status status = Status::initiated;
  std::string initiated_at;  // UTC date-time
  std::optional<std::string> close_reason;
  std::vector<HistoryEntry> history;
  bool operator==(const SipPlan&) const = default;
};

// Why a change or a document was refused. `field` is a JSON pointer into the plan document
// (e.g. "/participants/2/organisation", "/insatser/0/end_date"); `message` is English and
// carries no personal data, so it may be logged and shown to API clients.
struct SipError {
  std::string code;
  std::string field;
  std::string message;
  bool operator==(const SipError&) const = default;
};

// --- the document ---------------------------------------------------------------------------

nlohmann::json to_json(const SipPlan& plan);

// Reads a plan as the schema describes it. Every problem found is reported, each naming its
// JSON pointer; unknown members are refused (a misspelt member must not silently mean nothing).
// Structural only: the lifecycle rules are the transitions' business.
std::expected<SipPlan, std::vector<SipError>> from_json(const nlohmann::json& document);

// --- the lifecycle --------------------------------------------------------------------------

// Who made a change and when; becomes the history entry's `by` and `at`.
struct ChangeStamp {
  std::string by;
  std::chrono::system_clock::time_point at;
};

using SipResult = std::expected<SipPlan, SipError>;

// Starts a plan: status initiated, version 1. The coordinator is the initiating participant
// and counts as accepted; its organisation must be in the consent's scope, and the consent must
// be in force at `stamp.at`.
SipResult initiate(std::string plan_id, Person person, Consent consent, Participant coordinator,
                   const ChangeStamp& stamp);

// Invites a participant (status -> invited). Refused with participant_not_in_consent when its
// organisation is outside the consent's scope, consent_not_in_force when the consent is
// withdrawn, expired or not yet given. A declined or removed participant may be invited again.
SipResult invite(const SipPlan& plan, Participant participant, const ChangeStamp& stamp);

// Marks a participant removed (kept in the list for the history). The coordinator, the holder
// of huvudansvar and a participant responsible for an insats cannot be removed.
SipResult remove_participant(const SipPlan& plan, const std::string& participant_id, const ChangeStamp& stamp);

// An invited participant's answer; replied_at = stamp.at.
SipResult record_reply(const SipPlan& plan, const std::string& participant_id, Reply reply, const ChangeStamp& stamp);

// Schedules (or moves) the SIP meeting; needs at least one invitation sent. Not before the
// initiative.
SipResult schedule_meeting(const SipPlan& plan, Meeting meeting, const ChangeStamp& stamp);

// The content agreed at the meeting.
struct PlanContent {
  std::vector<Need> needs;
  std::vector<Goal> goals;
  std::vector<Insats> insatser;
  std::vector<ActionByOther> actions_by_others;
  std::string huvudansvar;  // participant_id
};

// Establishes the plan after the meeting is scheduled. followup_due must be after the meeting's
// date; every insats's responsible participant has accepted and acts for its huvudman.
SipResult establish(const SipPlan& plan, PlanContent content, std::string followup_due, const ChangeStamp& stamp);

// The content and first follow-up date as the API receives them (content_from_json).
struct EstablishedContent {
  PlanContent content;
  std::string followup_due;
};

// A revision of an established plan: only the members given change; at least one must.
struct Revision {
  std::optional<std::vector<Need>> needs;
  std::optional<std::vector<Goal>> goals;
  std::optional<std::vector<Insats>> insatser;
  std::optional<std::vector<ActionByOther>> actions_by_others;
  std::optional<std::string> huvudansvar;
  std::optional<std::string> coordinator;
  std::optional<std::string> followup_due;
  std::string summary;  // what changed, for the history; no personal data
};
SipResult revise(const SipPlan& plan, Revision revision, const ChangeStamp& stamp);

// The outcome of a follow-up: either a next follow-up date or the plan closes.
struct NextFollowup {
  std::string due;  // date, after the follow-up's own date
};
struct CloseAfterFollowup {
  std::string reason;
};
using FollowupOutcome = std::variant<NextFollowup, CloseAfterFollowup>;
SipResult record_followup(const SipPlan& plan, FollowupOutcome outcome, const ChangeStamp& stamp);

// The client withdrew consent: from stamp.at nothing more is shared and no one more invited.
SipResult withdraw_consent(const SipPlan& plan, const ChangeStamp& stamp);

// Closes the plan at any stage (e.g. the client no longer wants a SIP); nothing after this.
SipResult close(const SipPlan& plan, std::string reason, const ChangeStamp& stamp);

// --- parts of the document, as the API receives them ----------------------------------------
// Each reads one member of a request body; `at` is that member's JSON pointer (e.g.
// "/participant"), so every error names its place in the request. Unknown members are refused.

// A participant to invite: organisation, organisation_kind, unit, role, contact. The id and the
// invitation status are the plan's to give, not the caller's.
std::expected<Participant, std::vector<SipError>> participant_from_json(const nlohmann::json& value,
                                                                        const std::string& at);
std::expected<Meeting, std::vector<SipError>> meeting_from_json(const nlohmann::json& value, const std::string& at);
// needs, goals, insatser, actions_by_others (optional), huvudansvar, followup_due.
std::expected<EstablishedContent, std::vector<SipError>> content_from_json(const nlohmann::json& value,
                                                                          const std::string& at);
// Any of the revisable members, and summary (required).
std::expected<Revision, std::vector<SipError>> revision_from_json(const nlohmann::json& value, const std::string& at);

// --- questions asked of a plan --------------------------------------------------------------

// Is the consent in force at `now` (given, not expired, not withdrawn)?
bool consent_in_force(const Consent& consent, std::chrono::system_clock::time_point now);

// The participant_ids that may receive plan content at `now`: invited or accepted, organisation
// within the consent's scope, consent in force. Empty after a withdrawal or expiry. Includes the
// coordinator (the caller leaves out the sender).
std::vector<std::string> sharing_recipients(const SipPlan& plan, std::chrono::system_clock::time_point now);

// Utan dröjsmål (2 kap. 7 § SoL): has the meeting failed to happen within `days` of the
// initiative? True once more than `days` have passed since initiated_at while no meeting has
// been held by then (none scheduled, or scheduled later than that). False for a plan closed
// without a meeting.
bool meeting_overdue(const SipPlan& plan, std::chrono::system_clock::time_point now, int days);

// Is the follow-up due (its date reached) on an established or followed-up plan?
bool followup_due(const SipPlan& plan, std::chrono::system_clock::time_point now);

}  // namespace knutpunkt::sip
