// What of a plan goes to whom (sip_coordination/sip_sharing.h): pure functions, plans built by hand
// so that each participant's state is exactly the one the rule is about.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "core/clock.h"
#include "sip_coordination/sip_sharing.h"
#include "sip_organisations.h"

namespace {

using namespace knutpunkt;
using namespace knutpunkt::sip_coordination;
using sip::InvitationStatus;
using sip::OrganisationKind;

const std::string kKommun = "kommun-0180/farsta";
using sip_test::kPsykiatri;
using sip_test::kVardcentral;
const std::string kFk = "forsakringskassan";
const std::string kAf = "arbetsformedlingen";

std::chrono::system_clock::time_point at(const std::string& text) {
  auto parsed = parse_utc(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

const std::vector<SipParticipantSystem> kSystems = {{"region-stockholm/", "region"}, {kFk, "fk-sip"}};

sip::Participant participant(const std::string& id, const std::string& organisation, OrganisationKind kind,
                             InvitationStatus status) {
  sip::Participant p;
  p.participant_id = id;
  p.organisation = organisation;
  p.organisation_kind = kind;
  p.unit = "enhet " + id;
  p.role = "handläggare";
  p.invitation_status = status;
  return p;
}

// p1 coordinates (kommun); p2 vårdcentral accepted; p3 psykiatri invited; p4 Arbetsförmedlingen
// invited although outside the consent (a plan from before a narrower consent); p5
// Försäkringskassan accepted; p6 region declined; p7 region never invited.
sip::SipPlan plan() {
  sip::SipPlan p;
  p.plan_id = "plan-1";
  p.version = 7;
  p.person = {"191212121212", "personnummer"};
  p.consent = {"c-1", {kKommun, kVardcentral, kPsykiatri, kFk}, "2030-01-01T08:00:00.000Z", std::nullopt, std::nullopt};
  p.participants = {participant("p1", kKommun, OrganisationKind::kommun, InvitationStatus::accepted),
                    participant("p2", kVardcentral, OrganisationKind::region, InvitationStatus::accepted),
                    participant("p3", kPsykiatri, OrganisationKind::region, InvitationStatus::invited),
                    participant("p4", kAf, OrganisationKind::arbetsformedlingen, InvitationStatus::invited),
                    participant("p5", kFk, OrganisationKind::forsakringskassan, InvitationStatus::accepted),
                    participant("p6", kVardcentral, OrganisationKind::region, InvitationStatus::declined),
                    participant("p7", kPsykiatri, OrganisationKind::region, InvitationStatus::not_invited)};
  p.coordinator = "p1";
  p.status = sip::Status::plan_established;
  p.initiated_at = "2030-01-01T09:00:00.000Z";
  return p;
}

std::vector<std::string> ids(const std::vector<Delivery>& deliveries) {
  std::vector<std::string> out;
  for (const Delivery& d : deliveries) out.push_back(d.participant_id + "@" + d.destination);
  return out;
}

std::vector<std::string> ids(const std::vector<Withheld>& withheld) {
  std::vector<std::string> out;
  for (const Withheld& w : withheld) out.push_back(w.participant_id + ":" + w.reason);
  return out;
}

}  // namespace

TEST_CASE("participant_system: an entry ending in / matches organisations under it, any other only itself",
          "[sip_sharing]") {
  CHECK(participant_system(kSystems, kVardcentral) == "region");
  CHECK(participant_system(kSystems, "region-stockholm/psykiatri-sodra") == "region");
  CHECK(participant_system(kSystems, kFk) == "fk-sip");
  // The prefix is a folder, not a string start: a neighbouring region is not reached through it.
  CHECK_FALSE(participant_system(kSystems, "region-stockholmslan/vardcentral").has_value());
  CHECK_FALSE(participant_system(kSystems, "region-stockholm").has_value());
  // An exact entry does not cover organisations under it, nor longer names.
  CHECK_FALSE(participant_system(kSystems, "forsakringskassan/lund").has_value());
  CHECK_FALSE(participant_system(kSystems, "forsakringskassan2").has_value());
  CHECK_FALSE(participant_system(kSystems, kAf).has_value());
  CHECK_FALSE(participant_system({}, kVardcentral).has_value());
}

TEST_CASE("participant_system: the first matching entry decides", "[sip_sharing]") {
  const std::vector<SipParticipantSystem> systems = {{kVardcentral, "farsta-journal"}, {"region-stockholm/", "region"}};
  CHECK(participant_system(systems, kVardcentral) == "farsta-journal");
  CHECK(participant_system(systems, kPsykiatri) == "region");
}

TEST_CASE("content_recipients: connected participants within the consent get it; the others are named with why",
          "[sip_sharing]") {
  const sip::SipPlan p = plan();
  const auto now = at("2030-02-01T10:00:00.000Z");
  const Recipients r = content_recipients(p, {"p1", "p2", "p3", "p4", "p5", "p6", "p-unknown"}, kSystems, now);
  CHECK(ids(r.deliveries) == std::vector<std::string>{"p2@region", "p3@region", "p5@fk-sip"});
  // p4 is outside the consent; p6 declined (no longer taking part, so not covered by sharing);
  // the coordinator is the case system itself and is neither a recipient nor withheld.
  CHECK(ids(r.withheld) == std::vector<std::string>{"p4:outside_consent", "p6:outside_consent"});
}

TEST_CASE("content_recipients: a participant without a system of its own is not_connected", "[sip_sharing]") {
  const sip::SipPlan p = plan();
  const std::vector<SipParticipantSystem> region_only = {{"region-stockholm/", "region"}};
  const Recipients r = content_recipients(p, {"p2", "p5"}, region_only, at("2030-02-01T10:00:00.000Z"));
  CHECK(ids(r.deliveries) == std::vector<std::string>{"p2@region"});
  CHECK(ids(r.withheld) == std::vector<std::string>{"p5:not_connected"});
}

TEST_CASE("content_recipients: the coordinator is never a recipient, even with a system of its own",
          "[sip_sharing]") {
  const sip::SipPlan p = plan();
  const std::vector<SipParticipantSystem> with_kommun = {{"kommun-0180/", "kommun-system"},
                                                         {"region-stockholm/", "region"}};
  const Recipients r = content_recipients(p, {"p1", "p2"}, with_kommun, at("2030-02-01T10:00:00.000Z"));
  CHECK(ids(r.deliveries) == std::vector<std::string>{"p2@region"});
  CHECK(r.withheld.empty());
}

TEST_CASE("content_recipients: after a withdrawal or expiry everyone is outside_consent", "[sip_sharing]") {
  sip::SipPlan withdrawn = plan();
  withdrawn.consent.withdrawn_at = "2030-02-01T10:00:00.000Z";
  const Recipients before = content_recipients(withdrawn, {"p2"}, kSystems, at("2030-02-01T09:59:59.000Z"));
  CHECK(ids(before.deliveries) == std::vector<std::string>{"p2@region"});
  const Recipients after = content_recipients(withdrawn, {"p2", "p3", "p5"}, kSystems, at("2030-02-01T10:00:00.000Z"));
  CHECK(after.deliveries.empty());
  CHECK(ids(after.withheld) == std::vector<std::string>{"p2:outside_consent", "p3:outside_consent", "p5:outside_consent"});

  sip::SipPlan expired = plan();
  expired.consent.expires_at = "2030-03-01";  // the whole of that day is covered
  CHECK(content_recipients(expired, {"p2"}, kSystems, at("2030-03-01T23:59:59.000Z")).deliveries.size() == 1);
  CHECK(content_recipients(expired, {"p2"}, kSystems, at("2030-03-02T00:00:00.000Z")).deliveries.empty());
}

TEST_CASE("ever_informed: everyone ever invited who has a system, whatever the consent now says", "[sip_sharing]") {
  sip::SipPlan p = plan();
  p.consent.withdrawn_at = "2030-02-01T10:00:00.000Z";
  // p4 has no system; p7 was never invited; p1 is the coordinator. The declined p6 was invited,
  // so it may hold the invitation's content.
  CHECK(ids(ever_informed(p, kSystems)) == std::vector<std::string>{"p2@region", "p3@region", "p5@fk-sip", "p6@region"});
  p.participants[2].invitation_status = InvitationStatus::removed;
  CHECK(ids(ever_informed(p, kSystems)) == std::vector<std::string>{"p2@region", "p3@region", "p5@fk-sip", "p6@region"});
}

TEST_CASE("responsible_participants: huvudansvar and each insats's responsible, once each, never the coordinator",
          "[sip_sharing]") {
  sip::SipPlan p = plan();
  CHECK(responsible_participants(p).empty());
  p.huvudansvar = "p2";
  p.insatser = {{"i1", "Samtal.", OrganisationKind::region, "p2", "2030-02-01", std::nullopt},
                {"i2", "Försörjningsstöd.", OrganisationKind::kommun, "p1", "2030-02-01", std::nullopt},
                {"i3", "Sjukpenning.", OrganisationKind::forsakringskassan, "p5", "2030-02-01", std::nullopt},
                {"i4", "Uppföljning.", OrganisationKind::region, "p2", "2030-02-01", std::nullopt}};
  CHECK(responsible_participants(p) == std::vector<std::string>{"p2", "p5"});
  p.huvudansvar = "p1";
  CHECK(responsible_participants(p) == std::vector<std::string>{"p2", "p5"});
}

TEST_CASE("taking_part: invited and accepted participants without the coordinator", "[sip_sharing]") {
  CHECK(taking_part(plan()) == std::vector<std::string>{"p2", "p3", "p4", "p5"});
}

TEST_CASE("only invitations, plan updates, closing and follow-up reminders are held to the consent",
          "[sip_sharing]") {
  for (const char* type : {kInvitation, kPlanUpdated, kClosed, kFollowupDue}) {
    INFO(type);
    CHECK(is_sip_message(type));
    CHECK(carries_content(type));
  }
  for (const char* type : {kConsentWithdrawn, kParticipantRemoved}) {
    INFO(type);
    CHECK(is_sip_message(type));
    CHECK_FALSE(carries_content(type));
  }
  CHECK_FALSE(is_sip_message("referral.requested"));
}
