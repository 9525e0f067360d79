#pragma once
// A SIP for a client in Farsta: the kommun coordinates, the vårdcentral and Försäkringskassan are
// within the consent, Arbetsförmedlingen is not. Shared by the unit tests and the schema emitter.
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.h"
#include "sip/sip_plan.h"

namespace knutpunkt::sip::fixtures {

inline std::chrono::system_clock::time_point at(const std::string& text) {
  auto parsed = parse_utc(text);
  if (!parsed) throw std::invalid_argument("bad fixture time " + text);
  return *parsed;
}

inline ChangeStamp stamp(const std::string& by, const std::string& when) {
  return {by, at(when)};
}

inline const std::string kKommun = "kommun-0180/farsta-ekonomiskt-bistand";
inline const std::string kRegion = "region-stockholm/vardcentral-farsta";
inline const std::string kFk = "forsakringskassan";
inline const std::string kAf = "arbetsformedlingen";

inline Person client() {
  return {"198112189876", "personnummer"};
}

inline Consent consent() {
  return {"samtycke-2026-0815", {kKommun, kRegion, kFk}, "2026-10-01T08:00:00.000Z", "2027-09-30", std::nullopt};
}

inline Participant participant(const std::string& id, const std::string& organisation, OrganisationKind kind) {
  Participant p;
  p.participant_id = id;
  p.organisation = organisation;
  p.organisation_kind = kind;
  p.unit = "enhet " + id;
  p.role = "handläggare";
  p.contact = {"Kontakt " + id, "08-000 00 00", id + "@example.org"};
  return p;
}

inline Participant coordinator() {
  return participant("p-kommun", kKommun, OrganisationKind::kommun);
}
inline Participant region() {
  return participant("p-region", kRegion, OrganisationKind::region);
}
inline Participant fk() {
  return participant("p-fk", kFk, OrganisationKind::forsakringskassan);
}
inline Participant af() {
  return participant("p-af", kAf, OrganisationKind::arbetsformedlingen);
}

inline Meeting meeting() {
  return {"2026-10-08T13:00:00.000Z", "Farsta stadsdelsförvaltning, rum 3", MeetingKind::fysiskt};
}

inline PlanContent content() {
  PlanContent c;
  c.needs = {{"n1", "Behandling av depression."}, {"n2", "Försörjning under sjukskrivning."}};
  c.goals = {{"g1", "Regelbunden vårdkontakt.", {"n1"}}, {"g2", "Sjukpenning prövad.", {"n2"}}};
  c.insatser = {{"i1", "Samtalsbehandling.", OrganisationKind::region, "p-region", "2026-10-15", "2027-03-31"},
                {"i2", "Försörjningsstöd.", OrganisationKind::kommun, "p-kommun", "2026-10-15", std::nullopt}};
  c.actions_by_others = {{"Följer med på första besöket.", "anhörig"}};
  c.huvudansvar = "p-kommun";
  return c;
}

inline SipPlan value_or_throw(SipResult result) {
  if (!result) throw std::runtime_error("fixture step refused: " + result.error().code + " at " + result.error().field);
  return *std::move(result);
}

// Every stage of one full lifecycle, in order: initiated, invited (region), invited (fk),
// region accepted, fk declined, meeting scheduled, established, revised, followed up, closed.
inline std::vector<SipPlan> lifecycle() {
  std::vector<SipPlan> stages;
  stages.push_back(value_or_throw(
      initiate("sip-1", client(), consent(), coordinator(), stamp("p-kommun", "2026-10-01T08:45:00.000Z"))));
  stages.push_back(value_or_throw(invite(stages.back(), region(), stamp("p-kommun", "2026-10-01T09:00:00.000Z"))));
  stages.push_back(value_or_throw(invite(stages.back(), fk(), stamp("p-kommun", "2026-10-01T09:01:00.000Z"))));
  stages.push_back(value_or_throw(
      record_reply(stages.back(), "p-region", Reply::accepted, stamp("p-region", "2026-10-02T10:00:00.000Z"))));
  stages.push_back(
      value_or_throw(record_reply(stages.back(), "p-fk", Reply::declined, stamp("p-fk", "2026-10-03T09:15:00.000Z"))));
  stages.push_back(
      value_or_throw(schedule_meeting(stages.back(), meeting(), stamp("p-kommun", "2026-10-03T11:00:00.000Z"))));
  stages.push_back(
      value_or_throw(establish(stages.back(), content(), "2027-01-15", stamp("p-kommun", "2026-10-08T15:00:00.000Z"))));
  Revision revision;
  revision.goals = std::vector<Goal>{{"g1", "Vårdkontakt varje vecka.", {"n1"}}, {"g2", "Sjukpenning prövad.", {"n2"}}};
  revision.summary = "goal g1 sharpened";
  stages.push_back(value_or_throw(revise(stages.back(), revision, stamp("p-region", "2026-11-02T09:00:00.000Z"))));
  stages.push_back(value_or_throw(
      record_followup(stages.back(), NextFollowup{"2027-04-15"}, stamp("p-kommun", "2027-01-15T10:00:00.000Z"))));
  stages.push_back(value_or_throw(record_followup(stages.back(), CloseAfterFollowup{"mål uppnådda"},
                                                  stamp("p-kommun", "2027-04-15T10:00:00.000Z"))));
  return stages;
}

}  // namespace knutpunkt::sip::fixtures
