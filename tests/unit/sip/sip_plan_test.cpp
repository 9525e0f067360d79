#include <algorithm>
#include <catch2/catch.hpp>

#include "sip_fixtures.h"

using namespace knutpunkt::sip;
using namespace knutpunkt::sip::fixtures;

namespace {

enum Stage {
  kInitiated,
  kInvitedRegion,
  kInvitedFk,
  kRegionAccepted,
  kFkDeclined,
  kMeeting,
  kEstablished,
  kRevised,
  kFollowedUp,
  kClosed
};

const std::vector<SipPlan>& stages() {
  static const std::vector<SipPlan> all = lifecycle();
  return all;
}

std::vector<Change> changes(const SipPlan& plan) {
  std::vector<Change> out;
  for (const auto& h : plan.history) out.push_back(h.change);
  return out;
}

void require_refused(const SipResult& result, const std::string& code, const std::string& field) {
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == code);
  CHECK(result.error().field == field);
}

}  // namespace

TEST_CASE("a SIP runs from initiative through invitations, meeting, plan, revision and follow-up to closure") {
  const auto& s = stages();
  CHECK(s[kInitiated].status == Status::initiated);
  CHECK(s[kInvitedRegion].status == Status::invited);
  CHECK(s[kMeeting].status == Status::meeting_scheduled);
  CHECK(s[kEstablished].status == Status::plan_established);
  CHECK(s[kRevised].status == Status::plan_established);
  CHECK(s[kFollowedUp].status == Status::followed_up);
  CHECK(s[kFollowedUp].followup_due == "2027-04-15");
  CHECK(s[kClosed].status == Status::closed);
  CHECK(s[kClosed].close_reason == "mål uppnådda");
  CHECK(s[kRevised].goals.front().description == "Vårdkontakt varje vecka.");
  CHECK(s[kEstablished].insatser.size() == 2);
  CHECK(s[kEstablished].huvudansvar == "p-kommun");
  CHECK(s[kInitiated].coordinator == "p-kommun");
  CHECK(s[kInitiated].participants.front().invitation_status == InvitationStatus::accepted);
  CHECK(s[kFkDeclined].participants[2].invitation_status == InvitationStatus::declined);
  CHECK(s[kFkDeclined].participants[2].replied_at == "2026-10-03T09:15:00.000Z");
}

TEST_CASE("every change adds one version and one history entry stamped with who, when and what") {
  const auto& s = stages();
  for (std::size_t i = 0; i + 1 < s.size() - 1; ++i) {
    CHECK(s[i + 1].version == s[i].version + 1);
    CHECK(s[i + 1].history.size() == s[i].history.size() + 1);
  }
  const SipPlan& closed = s[kClosed];
  REQUIRE(closed.history.size() == static_cast<std::size_t>(closed.version));
  for (std::size_t i = 0; i < closed.history.size(); ++i) CHECK(closed.history[i].version == static_cast<int>(i + 1));
  CHECK(changes(closed) ==
        std::vector<Change>{Change::initiated, Change::invited, Change::invited, Change::reply_received,
                            Change::reply_received, Change::meeting_scheduled, Change::plan_established,
                            Change::plan_revised, Change::followed_up, Change::followed_up, Change::closed});
  CHECK(closed.history[3].by == "p-region");
  CHECK(closed.history[3].at == "2026-10-02T10:00:00.000Z");
  CHECK(closed.history[7].summary == "goal g1 sharpened");
}

TEST_CASE("a follow-up that closes the plan is two changes: followed up, then closed") {
  const auto& s = stages();
  CHECK(s[kClosed].version == s[kFollowedUp].version + 2);
  CHECK(s[kClosed].history[s[kClosed].history.size() - 2].change == Change::followed_up);
  CHECK(s[kClosed].history.back().change == Change::closed);
}

TEST_CASE("a refused change leaves the plan as it was") {
  const SipPlan before = stages()[kInvitedFk];
  auto refused = invite(before, af(), stamp("p-kommun", "2026-10-01T10:00:00.000Z"));
  REQUIRE_FALSE(refused);
  CHECK(before == stages()[kInvitedFk]);
}

TEST_CASE("transitions out of order are refused with invalid_transition") {
  const auto& s = stages();
  const auto later = stamp("p-kommun", "2026-12-01T10:00:00.000Z");
  SECTION("no meeting before anyone is invited") {
    require_refused(schedule_meeting(s[kInitiated], meeting(), later), "invalid_transition", "/status");
  }
  SECTION("no plan before a meeting is scheduled") {
    require_refused(establish(s[kRegionAccepted], content(), "2027-01-15", later), "invalid_transition", "/status");
  }
  SECTION("no revision before the plan is established") {
    Revision r;
    r.followup_due = "2027-02-01";
    require_refused(revise(s[kMeeting], r, later), "invalid_transition", "/status");
  }
  SECTION("no follow-up before the plan is established") {
    require_refused(record_followup(s[kMeeting], NextFollowup{"2027-02-01"}, later), "invalid_transition", "/status");
  }
  SECTION("a plan is established once; later changes are revisions") {
    require_refused(establish(s[kEstablished], content(), "2027-01-15", later), "invalid_transition", "/status");
  }
  SECTION("the meeting cannot be rescheduled once the plan is established") {
    require_refused(schedule_meeting(s[kEstablished], meeting(), later), "invalid_transition", "/status");
  }
}

TEST_CASE("nothing can change a closed plan") {
  const SipPlan& closed = stages()[kClosed];
  const auto later = stamp("p-kommun", "2027-05-01T10:00:00.000Z");
  Revision r;
  r.followup_due = "2027-06-01";
  require_refused(invite(closed, region(), later), "plan_closed", "/status");
  require_refused(remove_participant(closed, "p-fk", later), "plan_closed", "/status");
  require_refused(record_reply(closed, "p-fk", Reply::accepted, later), "plan_closed", "/status");
  require_refused(schedule_meeting(closed, meeting(), later), "plan_closed", "/status");
  require_refused(establish(closed, content(), "2027-06-01", later), "plan_closed", "/status");
  require_refused(revise(closed, r, later), "plan_closed", "/status");
  require_refused(record_followup(closed, NextFollowup{"2027-06-01"}, later), "plan_closed", "/status");
  require_refused(withdraw_consent(closed, later), "plan_closed", "/status");
  require_refused(close(closed, "igen", later), "plan_closed", "/status");
}

TEST_CASE("a plan can be closed before it is established, e.g. when the client declines a SIP") {
  auto closed =
      close(stages()[kInvitedFk], "den enskilde vill inte ha SIP", stamp("p-kommun", "2026-10-02T08:00:00.000Z"));
  REQUIRE(closed);
  CHECK(closed->status == Status::closed);
  require_refused(close(stages()[kInvitedFk], "", stamp("p-kommun", "2026-10-02T08:00:00.000Z")), "empty",
                  "/close_reason");
}

TEST_CASE("a participant outside the consent's scope cannot be invited, not even once") {
  auto refused = invite(stages()[kInvitedFk], af(), stamp("p-kommun", "2026-10-01T10:00:00.000Z"));
  require_refused(refused, "participant_not_in_consent", "/participants/3/organisation");
}

TEST_CASE("a coordinator outside the consent's scope cannot initiate") {
  Consent narrow = consent();
  narrow.scope = {kRegion};
  require_refused(initiate("sip-2", client(), narrow, coordinator(), stamp("p-kommun", "2026-10-01T08:45:00.000Z")),
                  "participant_not_in_consent", "/participants/0/organisation");
}

TEST_CASE("a plan is not initiated on a consent not yet given or already expired") {
  require_refused(initiate("sip-2", client(), consent(), coordinator(), stamp("p-kommun", "2026-09-30T08:45:00.000Z")),
                  "consent_not_in_force", "/consent");
  require_refused(initiate("sip-2", client(), consent(), coordinator(), stamp("p-kommun", "2027-10-01T00:00:00.000Z")),
                  "consent_not_in_force", "/consent");
}

TEST_CASE("initiate refuses a person id that is not a valid, normalised personnummer") {
  Person wrong = client();
  wrong.id = "198112189875";  // Luhn digit off by one
  require_refused(initiate("sip-2", wrong, consent(), coordinator(), stamp("p-kommun", "2026-10-01T08:45:00.000Z")),
                  "bad_check_digit", "/person/id");
  Person kind = client();
  kind.kind = "samordningsnummer";
  require_refused(initiate("sip-2", kind, consent(), coordinator(), stamp("p-kommun", "2026-10-01T08:45:00.000Z")),
                  "kind_mismatch", "/person/kind");
}

TEST_CASE("after the consent is withdrawn no one more can be invited and no one receives content") {
  const SipPlan& established = stages()[kEstablished];
  auto withdrawn = withdraw_consent(established, stamp("p-kommun", "2026-10-20T12:00:00.000Z"));
  REQUIRE(withdrawn);
  CHECK(withdrawn->consent.withdrawn_at == "2026-10-20T12:00:00.000Z");
  CHECK(withdrawn->history.back().change == Change::consent_withdrawn);
  CHECK(withdrawn->version == established.version + 1);

  CHECK_FALSE(sharing_recipients(*withdrawn, at("2026-10-20T11:59:59.000Z")).empty());
  CHECK(sharing_recipients(*withdrawn, at("2026-10-20T12:00:00.000Z")).empty());

  Participant again = fk();
  require_refused(invite(*withdrawn, again, stamp("p-kommun", "2026-10-21T08:00:00.000Z")), "consent_not_in_force",
                  "/consent");
  require_refused(withdraw_consent(*withdrawn, stamp("p-kommun", "2026-10-21T08:00:00.000Z")), "consent_withdrawn",
                  "/consent/withdrawn_at");
}

TEST_CASE("sharing recipients are the invited and accepted participants within scope while consent is in force") {
  const SipPlan& plan = stages()[kEstablished];
  // p-fk declined: it no longer receives content.
  CHECK(sharing_recipients(plan, at("2026-10-09T00:00:00.000Z")) == std::vector<std::string>{"p-kommun", "p-region"});
  CHECK(sharing_recipients(stages()[kInvitedFk], at("2026-10-01T10:00:00.000Z")) ==
        std::vector<std::string>{"p-kommun", "p-region", "p-fk"});

  SECTION("an expiry date covers that whole day, and nothing after") {
    CHECK_FALSE(sharing_recipients(plan, at("2027-09-30T23:59:59.000Z")).empty());
    CHECK(sharing_recipients(plan, at("2027-10-01T00:00:00.000Z")).empty());
  }
  SECTION("nothing before the consent is given") {
    CHECK(sharing_recipients(plan, at("2026-10-01T07:59:59.000Z")).empty());
  }
  SECTION("an organisation taken out of the scope stops receiving") {
    SipPlan narrowed = plan;
    narrowed.consent.scope = {kKommun};
    CHECK(sharing_recipients(narrowed, at("2026-10-09T00:00:00.000Z")) == std::vector<std::string>{"p-kommun"});
  }
  SECTION("a removed participant stops receiving") {
    auto removed = remove_participant(stages()[kInvitedFk], "p-fk", stamp("p-kommun", "2026-10-01T10:00:00.000Z"));
    REQUIRE(removed);
    CHECK(removed->participants[2].invitation_status == InvitationStatus::removed);
    CHECK(sharing_recipients(*removed, at("2026-10-01T10:00:00.000Z")) ==
          std::vector<std::string>{"p-kommun", "p-region"});
  }
}

TEST_CASE("a declined or removed participant can be invited again; an active one cannot be invited twice") {
  const auto when = stamp("p-kommun", "2026-10-04T08:00:00.000Z");
  require_refused(invite(stages()[kFkDeclined], region(), when), "duplicate_participant",
                  "/participants/1/participant_id");
  auto again = invite(stages()[kFkDeclined], fk(), when);
  REQUIRE(again);
  CHECK(again->participants.size() == 3);
  CHECK(again->participants[2].invitation_status == InvitationStatus::invited);
  CHECK_FALSE(again->participants[2].replied_at.has_value());
}

TEST_CASE("only an invited participant can reply") {
  const auto when = stamp("p-region", "2026-10-04T08:00:00.000Z");
  require_refused(record_reply(stages()[kRegionAccepted], "p-region", Reply::declined, when), "not_awaiting_reply",
                  "/participants/1/invitation_status");
  require_refused(record_reply(stages()[kRegionAccepted], "p-nobody", Reply::accepted, when), "unknown_participant",
                  "/participants");
}

TEST_CASE("the coordinator, the holder of huvudansvar and a responsible for an insats cannot be removed") {
  const auto when = stamp("p-kommun", "2026-10-20T08:00:00.000Z");
  require_refused(remove_participant(stages()[kEstablished], "p-kommun", when), "participant_has_responsibility",
                  "/coordinator");
  require_refused(remove_participant(stages()[kEstablished], "p-region", when), "participant_has_responsibility",
                  "/insatser/0/responsible_participant_id");
  Revision r;
  r.huvudansvar = "p-region";
  auto moved = revise(stages()[kEstablished], r, when);
  REQUIRE(moved);
  CHECK(moved->huvudansvar == "p-region");
  Revision coordinator_moves;
  coordinator_moves.coordinator = "p-region";
  auto handed_over = revise(*moved, coordinator_moves, when);
  REQUIRE(handed_over);
  require_refused(remove_participant(*handed_over, "p-region", when), "participant_has_responsibility", "/coordinator");
  require_refused(remove_participant(stages()[kEstablished], "p-ghost", when), "unknown_participant", "/participants");
}

TEST_CASE("an insats's responsible participant must have accepted and act for its huvudman") {
  const SipPlan& meeting_set = stages()[kMeeting];
  const auto when = stamp("p-kommun", "2026-10-08T15:00:00.000Z");
  SECTION("a participant who declined cannot carry an insats") {
    PlanContent c = content();
    c.insatser[0] = {"i1", "Handläggning.", OrganisationKind::forsakringskassan, "p-fk", "2026-10-15", std::nullopt};
    require_refused(establish(meeting_set, c, "2027-01-15", when), "responsible_not_accepted",
                    "/insatser/0/responsible_participant_id");
  }
  SECTION("a participant still only invited cannot carry an insats") {
    auto still_invited = stages()[kInvitedFk];
    auto scheduled = schedule_meeting(still_invited, meeting(), stamp("p-kommun", "2026-10-02T08:00:00.000Z"));
    REQUIRE(scheduled);
    PlanContent c = content();
    c.insatser[0].responsible_participant_id = "p-fk";
    c.insatser[0].responsible_huvudman = OrganisationKind::forsakringskassan;
    require_refused(establish(*scheduled, c, "2027-01-15", when), "responsible_not_accepted",
                    "/insatser/0/responsible_participant_id");
  }
  SECTION("the responsible participant acts for the insats's huvudman") {
    PlanContent c = content();
    c.insatser[0].responsible_huvudman = OrganisationKind::kommun;
    require_refused(establish(meeting_set, c, "2027-01-15", when), "huvudman_mismatch",
                    "/insatser/0/responsible_huvudman");
  }
  SECTION("huvudansvar lies with a participant who accepted") {
    PlanContent c = content();
    c.huvudansvar = "p-fk";
    require_refused(establish(meeting_set, c, "2027-01-15", when), "responsible_not_accepted", "/huvudansvar");
  }
  SECTION("a revision is held to the same rules") {
    Revision r;
    r.insatser = content().insatser;
    r.insatser->at(1).responsible_participant_id = "p-fk";
    r.insatser->at(1).responsible_huvudman = OrganisationKind::forsakringskassan;
    require_refused(revise(stages()[kEstablished], r, stamp("p-kommun", "2026-11-01T08:00:00.000Z")),
                    "responsible_not_accepted", "/insatser/1/responsible_participant_id");
  }
}

TEST_CASE("a plan's content is consistent: needs exist, ids unique, goals name needs") {
  const SipPlan& meeting_set = stages()[kMeeting];
  const auto when = stamp("p-kommun", "2026-10-08T15:00:00.000Z");
  PlanContent c = content();
  SECTION("a goal names a need of the plan") {
    c.goals[1].need_ids = {"n9"};
    require_refused(establish(meeting_set, c, "2027-01-15", when), "unknown_need", "/goals/1/need_ids/0");
  }
  SECTION("need ids are unique") {
    c.needs[1].need_id = "n1";
    require_refused(establish(meeting_set, c, "2027-01-15", when), "duplicate_id", "/needs/1/need_id");
  }
  SECTION("a plan states at least one need") {
    c.needs.clear();
    c.goals.clear();
    require_refused(establish(meeting_set, c, "2027-01-15", when), "missing", "/needs");
  }
  SECTION("an empty revision is refused") {
    require_refused(revise(stages()[kEstablished], Revision{}, when), "no_change", "");
  }
}

TEST_CASE("dates are sane: an insats ends after it starts, follow-up after the meeting, history in time order") {
  const SipPlan& meeting_set = stages()[kMeeting];
  const auto when = stamp("p-kommun", "2026-10-08T15:00:00.000Z");
  SECTION("an insats cannot end before it starts") {
    PlanContent c = content();
    c.insatser[0].end_date = "2026-10-14";
    require_refused(establish(meeting_set, c, "2027-01-15", when), "date_order", "/insatser/0/end_date");
  }
  SECTION("a one-day insats is allowed") {
    PlanContent c = content();
    c.insatser[0].end_date = "2026-10-15";
    CHECK(establish(meeting_set, c, "2027-01-15", when).has_value());
  }
  SECTION("the follow-up date comes after the meeting's day") {
    require_refused(establish(meeting_set, content(), "2026-10-08", when), "date_order", "/followup_due");
    CHECK(establish(meeting_set, content(), "2026-10-09", when).has_value());
  }
  SECTION("a plan is not established before the meeting's day") {
    require_refused(establish(meeting_set, content(), "2027-01-15", stamp("p-kommun", "2026-10-07T15:00:00.000Z")),
                    "date_order", "/meeting/at");
  }
  SECTION("the meeting is not before the initiative") {
    Meeting early = meeting();
    early.at = "2026-09-30T10:00:00.000Z";
    require_refused(schedule_meeting(stages()[kInvitedRegion], early, stamp("p-kommun", "2026-10-01T09:30:00.000Z")),
                    "date_order", "/meeting/at");
  }
  SECTION("a malformed date is named as such") {
    PlanContent c = content();
    c.insatser[1].start_date = "2026-13-01";
    require_refused(establish(meeting_set, c, "2027-01-15", when), "bad_date", "/insatser/1/start_date");
  }
  SECTION("a change cannot be dated before the previous one") {
    const Participant second_region = participant("p-region-2", kRegion, OrganisationKind::region);
    require_refused(invite(stages()[kInvitedFk], second_region, stamp("p-kommun", "2026-10-01T08:59:00.000Z")),
                    "date_order", "/history/3/at");
  }
  SECTION("the next follow-up comes after this one") {
    require_refused(record_followup(stages()[kEstablished], NextFollowup{"2027-01-15"},
                                    stamp("p-kommun", "2027-01-15T10:00:00.000Z")),
                    "date_order", "/followup_due");
  }
  SECTION("a follow-up is not held before the meeting") {
    SipPlan odd = stages()[kEstablished];
    odd.history.back().at = "2026-10-01T10:00:00.000Z";
    require_refused(record_followup(odd, NextFollowup{"2027-01-15"}, stamp("p-kommun", "2026-10-05T10:00:00.000Z")),
                    "date_order", "/history/7/at");
  }
}

TEST_CASE("utan dröjsmål: the meeting is overdue once the configured days pass without a meeting held") {
  const auto& s = stages();  // initiated 2026-10-01T08:45Z, meeting 2026-10-08T13:00Z
  SECTION("no meeting scheduled") {
    CHECK_FALSE(meeting_overdue(s[kInvitedFk], at("2026-10-08T08:45:00.000Z"), 7));
    CHECK(meeting_overdue(s[kInvitedFk], at("2026-10-08T08:45:01.000Z"), 7));
  }
  SECTION("a meeting within the limit is never overdue") {
    CHECK_FALSE(meeting_overdue(s[kMeeting], at("2026-12-01T00:00:00.000Z"), 10));
  }
  SECTION("a meeting scheduled beyond the limit is overdue once the limit has passed") {
    CHECK_FALSE(meeting_overdue(s[kMeeting], at("2026-10-05T00:00:00.000Z"), 5));
    CHECK(meeting_overdue(s[kMeeting], at("2026-10-06T09:00:00.000Z"), 5));
  }
  SECTION("a plan closed without a meeting is not overdue") {
    auto closed = close(s[kInvitedFk], "avbruten", stamp("p-kommun", "2026-10-02T08:00:00.000Z"));
    REQUIRE(closed);
    CHECK_FALSE(meeting_overdue(*closed, at("2026-12-01T00:00:00.000Z"), 7));
  }
}

TEST_CASE("the follow-up is due from its date on an established or followed-up plan") {
  const auto& s = stages();  // followup_due 2027-01-15, then 2027-04-15
  CHECK_FALSE(followup_due(s[kEstablished], at("2027-01-14T23:59:59.000Z")));
  CHECK(followup_due(s[kEstablished], at("2027-01-15T00:00:00.000Z")));
  CHECK_FALSE(followup_due(s[kFollowedUp], at("2027-04-14T12:00:00.000Z")));
  CHECK(followup_due(s[kFollowedUp], at("2027-05-01T12:00:00.000Z")));
  CHECK_FALSE(followup_due(s[kMeeting], at("2028-01-01T00:00:00.000Z")));
  CHECK_FALSE(followup_due(s[kClosed], at("2028-01-01T00:00:00.000Z")));
}
