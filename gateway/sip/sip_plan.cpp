// The SIP lifecycle: each change is checked against the plan as it is, and the plan it would
// produce is checked against the document's own rules before it is returned, so no transition
// can ever hand back a plan that from_json would refuse.
#include "sip/sip_plan.h"

#include <algorithm>
#include <set>
#include <utility>

#include "core/clock.h"
#include "policy/person_id.h"

namespace knutpunkt::sip {
namespace {

using std::chrono::system_clock;

SipError error(std::string code, std::string field, std::string message) {
  return {std::move(code), std::move(field), std::move(message)};
}

std::string at_index(std::string_view array, std::size_t index) {
  return std::string(array) + "/" + std::to_string(index);
}

std::chrono::sys_days day_of(system_clock::time_point at) {
  return std::chrono::floor<std::chrono::days>(at);
}

// Dates and date-times inside a plan have passed from_json's checks, so a parse failure here
// means a caller built a SipPlan by hand with garbage; treating it as "the earliest time" keeps
// every comparison defined, and the final document check refuses the plan anyway.
system_clock::time_point time_of(const std::string& text) {
  return parse_utc(text).value_or(system_clock::time_point{});
}

bool in_scope(const Consent& consent, const std::string& organisation) {
  return std::find(consent.scope.begin(), consent.scope.end(), organisation) != consent.scope.end();
}

std::optional<std::size_t> find_participant(const SipPlan& plan, const std::string& participant_id) {
  for (std::size_t i = 0; i < plan.participants.size(); ++i) {
    if (plan.participants[i].participant_id == participant_id) return i;
  }
  return std::nullopt;
}

bool has_accepted(const SipPlan& plan, const std::string& participant_id) {
  auto i = find_participant(plan, participant_id);
  return i && plan.participants[*i].invitation_status == InvitationStatus::accepted;
}

std::expected<void, SipError> require_open(const SipPlan& plan) {
  if (plan.status == Status::closed) return std::unexpected(error("plan_closed", "/status", "the plan is closed"));
  return {};
}

std::expected<void, SipError> require_status(const SipPlan& plan, std::initializer_list<Status> allowed,
                                             std::string_view what) {
  if (auto open = require_open(plan); !open) return open;
  if (std::find(allowed.begin(), allowed.end(), plan.status) == allowed.end()) {
    return std::unexpected(
        error("invalid_transition", "/status",
              std::string(what) + " is not allowed while the plan is " + std::string(to_string(plan.status))));
  }
  return {};
}

// Appends the change to the history; refuses a stamp older than the last change so the history
// reads in time order (a receiver applies versions in that order).
std::expected<void, SipError> record(SipPlan& plan, Change change, const ChangeStamp& stamp, std::string summary) {
  if (!plan.history.empty() && stamp.at < time_of(plan.history.back().at)) {
    return std::unexpected(error("date_order", at_index("/history", plan.history.size()) + "/at",
                                 "a change cannot be dated before the previous change"));
  }
  plan.version += 1;
  plan.history.push_back({plan.version, format_utc(stamp.at), stamp.by, change, std::move(summary)});
  return {};
}

// The plan as a document must be one from_json accepts: ids, codes, dates, lengths.
SipResult as_valid_document(SipPlan plan) {
  auto read = from_json(to_json(plan));
  if (!read) return std::unexpected(read.error().front());
  return plan;
}

std::expected<void, SipError> check_unique(const std::vector<std::string>& ids, std::string_view array,
                                           std::string_view member) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!seen.insert(ids[i]).second) {
      return std::unexpected(
          error("duplicate_id", at_index(array, i) + "/" + std::string(member), "the same id appears twice"));
    }
  }
  return {};
}

// The rules for an established plan's content (checked on establish and on every revision).
std::expected<void, SipError> check_content(const SipPlan& plan) {
  if (plan.needs.empty()) return std::unexpected(error("missing", "/needs", "a plan states at least one need"));
  std::vector<std::string> ids;
  for (const auto& n : plan.needs) ids.push_back(n.need_id);
  if (auto unique = check_unique(ids, "/needs", "need_id"); !unique) return unique;
  const std::set<std::string> need_ids(ids.begin(), ids.end());

  ids.clear();
  for (const auto& g : plan.goals) ids.push_back(g.goal_id);
  if (auto unique = check_unique(ids, "/goals", "goal_id"); !unique) return unique;
  for (std::size_t g = 0; g < plan.goals.size(); ++g) {
    for (std::size_t n = 0; n < plan.goals[g].need_ids.size(); ++n) {
      if (!need_ids.contains(plan.goals[g].need_ids[n])) {
        return std::unexpected(
            error("unknown_need", at_index(at_index("/goals", g) + "/need_ids", n), "names no need in this plan"));
      }
    }
  }

  ids.clear();
  for (const auto& i : plan.insatser) ids.push_back(i.insats_id);
  if (auto unique = check_unique(ids, "/insatser", "insats_id"); !unique) return unique;
  for (std::size_t k = 0; k < plan.insatser.size(); ++k) {
    const Insats& insats = plan.insatser[k];
    const std::string at = at_index("/insatser", k);
    // An insats binds a huvudman only through someone who has agreed to take part.
    if (!has_accepted(plan, insats.responsible_participant_id)) {
      return std::unexpected(error("responsible_not_accepted", at + "/responsible_participant_id",
                                   "the responsible participant must be one who accepted the invitation"));
    }
    const Participant& responsible = plan.participants[*find_participant(plan, insats.responsible_participant_id)];
    if (responsible.organisation_kind != insats.responsible_huvudman) {
      return std::unexpected(error("huvudman_mismatch", at + "/responsible_huvudman",
                                   "the responsible participant does not act for this huvudman"));
    }
    if (insats.end_date && time_of(*insats.end_date) < time_of(insats.start_date)) {
      return std::unexpected(error("date_order", at + "/end_date", "ends before it starts"));
    }
  }

  if (!plan.huvudansvar || !has_accepted(plan, *plan.huvudansvar)) {
    return std::unexpected(error("responsible_not_accepted", "/huvudansvar",
                                 "overall responsibility lies with a participant who accepted"));
  }
  if (!has_accepted(plan, plan.coordinator)) {
    return std::unexpected(
        error("responsible_not_accepted", "/coordinator", "the coordinator must be a participant who accepted"));
  }
  if (!plan.followup_due) return std::unexpected(error("missing", "/followup_due", "a plan has a follow-up date"));
  if (plan.meeting && time_of(*plan.followup_due) <= day_of(time_of(plan.meeting->at))) {
    return std::unexpected(error("date_order", "/followup_due", "the follow-up must come after the meeting"));
  }
  return {};
}

}  // namespace

bool consent_in_force(const Consent& consent, system_clock::time_point now) {
  auto given = parse_utc(consent.given_at);
  if (!given || now < *given) return false;
  if (consent.expires_at) {
    // An expiry date covers the whole of that day, as in the consent registry (consent/consent_check.h).
    auto expires = parse_utc(*consent.expires_at);
    if (!expires || now >= *expires + std::chrono::days{1}) return false;
  }
  if (consent.withdrawn_at) {
    auto withdrawn = parse_utc(*consent.withdrawn_at);
    if (!withdrawn || now >= *withdrawn) return false;
  }
  return true;
}

SipResult initiate(std::string plan_id, Person person, Consent consent, Participant coordinator,
                   const ChangeStamp& stamp) {
  SipPlan plan;
  plan.plan_id = std::move(plan_id);
  plan.person = std::move(person);
  plan.consent = std::move(consent);
  coordinator.invitation_status = InvitationStatus::accepted;
  coordinator.replied_at = format_utc(stamp.at);
  plan.coordinator = coordinator.participant_id;
  plan.participants.push_back(std::move(coordinator));
  plan.status = Status::initiated;
  plan.initiated_at = format_utc(stamp.at);
  if (auto recorded = record(plan, Change::initiated, stamp, "SIP initiated"); !recorded) {
    return std::unexpected(recorded.error());
  }
  auto checked = as_valid_document(std::move(plan));
  if (!checked) return checked;

  // The edge normalises; a plan is the wrong place to discover a mistyped personnummer.
  auto id = policy::parse_person_id(checked->person.id, std::chrono::year_month_day{day_of(stamp.at)});
  if (!id) return std::unexpected(error(id.error().code, "/person/id", id.error().reason));
  if (policy::to_string(id->kind) != checked->person.kind) {
    return std::unexpected(error("kind_mismatch", "/person/kind", "does not match the number's kind"));
  }
  if (!consent_in_force(checked->consent, stamp.at)) {
    return std::unexpected(error("consent_not_in_force", "/consent", "the consent is not in force"));
  }
  if (!in_scope(checked->consent, checked->participants.front().organisation)) {
    return std::unexpected(error("participant_not_in_consent", "/participants/0/organisation",
                                 "the consent does not cover the coordinator's organisation"));
  }
  return checked;
}

SipResult invite(const SipPlan& plan, Participant participant, const ChangeStamp& stamp) {
  if (auto open = require_open(plan); !open) return std::unexpected(open.error());
  SipPlan next = plan;
  std::size_t index = next.participants.size();
  if (auto existing = find_participant(next, participant.participant_id)) {
    const InvitationStatus status = next.participants[*existing].invitation_status;
    if (status != InvitationStatus::declined && status != InvitationStatus::removed) {
      return std::unexpected(error("duplicate_participant", at_index("/participants", *existing) + "/participant_id",
                                   "is already a participant"));
    }
    index = *existing;
  }
  // 12 kap. OSL: not even the invitation may leave without consent covering the recipient.
  if (!in_scope(next.consent, participant.organisation)) {
    return std::unexpected(error("participant_not_in_consent", at_index("/participants", index) + "/organisation",
                                 "the consent does not cover this organisation"));
  }
  if (!consent_in_force(next.consent, stamp.at)) {
    return std::unexpected(
        error("consent_not_in_force", "/consent", "the consent is withdrawn, expired or not yet given"));
  }
  participant.invitation_status = InvitationStatus::invited;
  participant.replied_at.reset();
  const std::string summary = "invited " + participant.participant_id;
  if (index == next.participants.size())
    next.participants.push_back(std::move(participant));
  else
    next.participants[index] = std::move(participant);
  if (next.status == Status::initiated) next.status = Status::invited;
  if (auto recorded = record(next, Change::invited, stamp, summary); !recorded)
    return std::unexpected(recorded.error());
  return as_valid_document(std::move(next));
}

SipResult remove_participant(const SipPlan& plan, const std::string& participant_id, const ChangeStamp& stamp) {
  if (auto open = require_open(plan); !open) return std::unexpected(open.error());
  auto index = find_participant(plan, participant_id);
  if (!index) return std::unexpected(error("unknown_participant", "/participants", "no such participant"));
  const std::string at = at_index("/participants", *index);
  if (plan.participants[*index].invitation_status == InvitationStatus::removed) {
    return std::unexpected(error("already_removed", at + "/invitation_status", "is already removed"));
  }
  if (plan.coordinator == participant_id) {
    return std::unexpected(error("participant_has_responsibility", "/coordinator",
                                 "the coordinator cannot be removed; appoint another one first"));
  }
  if (plan.huvudansvar == participant_id) {
    return std::unexpected(
        error("participant_has_responsibility", "/huvudansvar", "holds overall responsibility; revise the plan first"));
  }
  for (std::size_t k = 0; k < plan.insatser.size(); ++k) {
    if (plan.insatser[k].responsible_participant_id == participant_id) {
      return std::unexpected(error("participant_has_responsibility",
                                   at_index("/insatser", k) + "/responsible_participant_id",
                                   "is responsible for an insats; revise the plan first"));
    }
  }
  SipPlan next = plan;
  next.participants[*index].invitation_status = InvitationStatus::removed;
  if (auto recorded = record(next, Change::participant_removed, stamp, "removed " + participant_id); !recorded) {
    return std::unexpected(recorded.error());
  }
  return as_valid_document(std::move(next));
}

SipResult record_reply(const SipPlan& plan, const std::string& participant_id, Reply reply, const ChangeStamp& stamp) {
  if (auto open = require_open(plan); !open) return std::unexpected(open.error());
  auto index = find_participant(plan, participant_id);
  if (!index) return std::unexpected(error("unknown_participant", "/participants", "no such participant"));
  if (plan.participants[*index].invitation_status != InvitationStatus::invited) {
    return std::unexpected(error("not_awaiting_reply", at_index("/participants", *index) + "/invitation_status",
                                 "only an invited participant can reply"));
  }
  SipPlan next = plan;
  Participant& p = next.participants[*index];
  p.invitation_status = reply == Reply::accepted ? InvitationStatus::accepted : InvitationStatus::declined;
  p.replied_at = format_utc(stamp.at);
  const std::string summary = participant_id + (reply == Reply::accepted ? " accepted" : " declined");
  if (auto recorded = record(next, Change::reply_received, stamp, summary); !recorded) {
    return std::unexpected(recorded.error());
  }
  return as_valid_document(std::move(next));
}

SipResult schedule_meeting(const SipPlan& plan, Meeting meeting, const ChangeStamp& stamp) {
  // A meeting needs someone invited to it; moving it is allowed until the plan is established.
  if (auto allowed = require_status(plan, {Status::invited, Status::meeting_scheduled}, "scheduling the meeting");
      !allowed) {
    return std::unexpected(allowed.error());
  }
  SipPlan next = plan;
  next.meeting = std::move(meeting);
  next.status = Status::meeting_scheduled;
  if (auto recorded = record(next, Change::meeting_scheduled, stamp, "meeting scheduled"); !recorded) {
    return std::unexpected(recorded.error());
  }
  auto checked = as_valid_document(std::move(next));
  if (!checked) return checked;
  if (time_of(checked->meeting->at) < time_of(checked->initiated_at)) {
    return std::unexpected(error("date_order", "/meeting/at", "the meeting cannot be before the initiative"));
  }
  return checked;
}

SipResult establish(const SipPlan& plan, PlanContent content, std::string followup_due, const ChangeStamp& stamp) {
  if (auto allowed = require_status(plan, {Status::meeting_scheduled}, "establishing the plan"); !allowed) {
    return std::unexpected(allowed.error());
  }
  if (!plan.meeting) return std::unexpected(error("missing", "/meeting", "no meeting is scheduled"));
  // The plan is agreed at the meeting, so it cannot be established on an earlier day.
  if (day_of(stamp.at) < day_of(time_of(plan.meeting->at))) {
    return std::unexpected(error("date_order", "/meeting/at", "the plan is established at or after the meeting"));
  }
  SipPlan next = plan;
  next.needs = std::move(content.needs);
  next.goals = std::move(content.goals);
  next.insatser = std::move(content.insatser);
  next.actions_by_others = std::move(content.actions_by_others);
  next.huvudansvar = std::move(content.huvudansvar);
  next.followup_due = std::move(followup_due);
  next.status = Status::plan_established;
  if (auto recorded = record(next, Change::plan_established, stamp, "plan established"); !recorded) {
    return std::unexpected(recorded.error());
  }
  auto checked = as_valid_document(std::move(next));
  if (!checked) return checked;
  if (auto content_ok = check_content(*checked); !content_ok) return std::unexpected(content_ok.error());
  return checked;
}

SipResult revise(const SipPlan& plan, Revision revision, const ChangeStamp& stamp) {
  if (auto allowed = require_status(plan, {Status::plan_established, Status::followed_up}, "revising the plan");
      !allowed) {
    return std::unexpected(allowed.error());
  }
  if (!revision.needs && !revision.goals && !revision.insatser && !revision.actions_by_others &&
      !revision.huvudansvar && !revision.coordinator && !revision.followup_due) {
    return std::unexpected(error("no_change", "", "a revision changes at least one member"));
  }
  SipPlan next = plan;
  if (revision.needs) next.needs = std::move(*revision.needs);
  if (revision.goals) next.goals = std::move(*revision.goals);
  if (revision.insatser) next.insatser = std::move(*revision.insatser);
  if (revision.actions_by_others) next.actions_by_others = std::move(*revision.actions_by_others);
  if (revision.huvudansvar) next.huvudansvar = std::move(*revision.huvudansvar);
  if (revision.coordinator) next.coordinator = std::move(*revision.coordinator);
  if (revision.followup_due) next.followup_due = std::move(*revision.followup_due);
  std::string summary = revision.summary.empty() ? std::string("plan revised") : std::move(revision.summary);
  if (auto recorded = record(next, Change::plan_revised, stamp, std::move(summary)); !recorded) {
    return std::unexpected(recorded.error());
  }
  auto checked = as_valid_document(std::move(next));
  if (!checked) return checked;
  if (auto content_ok = check_content(*checked); !content_ok) return std::unexpected(content_ok.error());
  return checked;
}

SipResult record_followup(const SipPlan& plan, FollowupOutcome outcome, const ChangeStamp& stamp) {
  if (auto allowed = require_status(plan, {Status::plan_established, Status::followed_up}, "recording a follow-up");
      !allowed) {
    return std::unexpected(allowed.error());
  }
  if (!plan.meeting) return std::unexpected(error("missing", "/meeting", "no meeting is scheduled"));
  if (stamp.at < time_of(plan.meeting->at)) {
    return std::unexpected(
        error("date_order", at_index("/history", plan.history.size()) + "/at", "a follow-up comes after the meeting"));
  }
  SipPlan next = plan;
  next.status = Status::followed_up;
  if (auto* again = std::get_if<NextFollowup>(&outcome)) {
    // A malformed date is left to the document check below, which names it as such.
    if (auto due = parse_utc(again->due); due && *due <= day_of(stamp.at)) {
      return std::unexpected(error("date_order", "/followup_due", "the next follow-up must be after this one"));
    }
    next.followup_due = std::move(again->due);
    if (auto recorded = record(next, Change::followed_up, stamp, "followed up; next follow-up set"); !recorded) {
      return std::unexpected(recorded.error());
    }
    return as_valid_document(std::move(next));
  }
  // Following up and closing are two changes, so receivers see both sip.* events in order.
  if (auto recorded = record(next, Change::followed_up, stamp, "followed up; plan to be closed"); !recorded) {
    return std::unexpected(recorded.error());
  }
  return close(next, std::get<CloseAfterFollowup>(std::move(outcome)).reason, stamp);
}

SipResult withdraw_consent(const SipPlan& plan, const ChangeStamp& stamp) {
  if (auto open = require_open(plan); !open) return std::unexpected(open.error());
  if (plan.consent.withdrawn_at) {
    return std::unexpected(error("consent_withdrawn", "/consent/withdrawn_at", "the consent is already withdrawn"));
  }
  SipPlan next = plan;
  next.consent.withdrawn_at = format_utc(stamp.at);
  if (auto recorded = record(next, Change::consent_withdrawn, stamp, "consent withdrawn"); !recorded) {
    return std::unexpected(recorded.error());
  }
  return as_valid_document(std::move(next));
}

SipResult close(const SipPlan& plan, std::string reason, const ChangeStamp& stamp) {
  if (auto open = require_open(plan); !open) return std::unexpected(open.error());
  SipPlan next = plan;
  next.status = Status::closed;
  next.close_reason = std::move(reason);
  if (auto recorded = record(next, Change::closed, stamp, "plan closed"); !recorded) {
    return std::unexpected(recorded.error());
  }
  return as_valid_document(std::move(next));
}

std::vector<std::string> sharing_recipients(const SipPlan& plan, system_clock::time_point now) {
  std::vector<std::string> recipients;
  if (!consent_in_force(plan.consent, now)) return recipients;
  for (const auto& p : plan.participants) {
    const bool taking_part =
        p.invitation_status == InvitationStatus::invited || p.invitation_status == InvitationStatus::accepted;
    if (taking_part && in_scope(plan.consent, p.organisation)) recipients.push_back(p.participant_id);
  }
  return recipients;
}

bool meeting_overdue(const SipPlan& plan, system_clock::time_point now, int days) {
  const auto deadline = time_of(plan.initiated_at) + std::chrono::days{days};
  if (now <= deadline) return false;
  if (plan.meeting) return time_of(plan.meeting->at) > deadline;
  return plan.status != Status::closed;
}

bool followup_due(const SipPlan& plan, system_clock::time_point now) {
  if (plan.status != Status::plan_established && plan.status != Status::followed_up) return false;
  return plan.followup_due && now >= time_of(*plan.followup_due);
}

}  // namespace knutpunkt::sip
