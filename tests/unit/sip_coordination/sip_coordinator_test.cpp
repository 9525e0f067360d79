// The SIP coordinator against a real store, audit log and delivery engine: reminders on a
// clock the test moves, follow-up to the responsible parties only, a withdrawal stopping what is
// still queued, order after an outage, and an audit record for every step.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sip_world.h"

using namespace sip_test;
using delivery_test::eventually;

namespace {

bool only_increasing(const std::vector<int>& versions) {
  return std::adjacent_find(versions.begin(), versions.end(), [](int a, int b) { return b <= a; }) == versions.end();
}

}  // namespace

TEST_CASE("utan dröjsmål: sip.meeting_overdue is raised once, only after meeting_within_days without a meeting",
          "[sip_coordinator][reminders]") {
  SipWorld w;
  const TimePoint start = w.clock.now();
  const std::string overdue = w.initiate().record.plan_id;
  const std::string in_time = w.initiate().record.plan_id;
  w.clock.set(start + std::chrono::days{1});
  w.change(in_time, sc::InviteParticipant{participant(kVardcentral, kp::sip::OrganisationKind::region, "VC")});
  w.change(in_time, sc::ScheduleMeeting{{kp::format_utc(start + std::chrono::days{5}), "Rum 3", kp::sip::MeetingKind::digitalt}});

  w.clock.set(start + std::chrono::days{7} - 1s);
  CHECK(w.raise() == 0);
  CHECK(w.feed("sip.meeting_overdue", overdue).empty());

  w.clock.set(start + std::chrono::days{7} + 1s);
  CHECK(w.raise() == 1);
  const auto events = w.feed("sip.meeting_overdue", overdue);
  REQUIRE(events.size() == 1);
  CHECK(events[0]["facts"]["plan_id"] == overdue);
  CHECK(events[0]["facts"]["meeting_within_days"] == 7);
  CHECK(events[0]["facts"]["meeting_at"].is_null());
  CHECK(events[0]["case_id"] == kCaseId);

  // Once: the next rounds find it raised already.
  w.clock.set(start + std::chrono::days{7} + 1h);
  CHECK(w.raise() == 0);
  CHECK(w.feed("sip.meeting_overdue", overdue).size() == 1);

  // The plan whose meeting came within the days never raises it.
  w.clock.set(start + std::chrono::days{30});
  CHECK(w.raise() == 0);
  CHECK(w.feed("sip.meeting_overdue", in_time).empty());
  CHECK(w.feed("sip.meeting_overdue", overdue).size() == 1);
}

TEST_CASE("sip.followup_due goes to the case system and the responsible participant only, once per due date",
          "[sip_coordinator][reminders]") {
  SipWorld w;
  const TimePoint start = w.clock.now();
  const std::string due = date_of(start + std::chrono::days{10});
  const PlanIds ids = w.established_plan(due);
  w.wait_settled();

  w.clock.set(midnight_of(due) - 1s);
  CHECK(w.raise() == 0);
  CHECK(w.feed("sip.followup_due", ids.plan_id).empty());

  w.clock.set(midnight_of(due));
  CHECK(w.raise() == 1);
  const auto events = w.feed("sip.followup_due", ids.plan_id);
  REQUIRE(events.size() == 1);
  CHECK(events[0]["facts"]["followup_due"] == due);
  CHECK(events[0]["facts"]["responsible"] == nlohmann::json::array({"p2"}));
  REQUIRE(eventually([&] { return w.delivered(kp::sip_coordination::kFollowupDue).size() == 1; }));
  w.wait_settled();
  auto reminders = w.delivered(kp::sip_coordination::kFollowupDue);
  REQUIRE(reminders.size() == 1);  // not p3 (no responsibility), not the coordinator
  CHECK(reminders[0].recipient() == "p2");
  CHECK(reminders[0].payload["plan_id"] == ids.plan_id);
  CHECK(reminders[0].payload["followup_due"] == due);

  // Once per due date.
  w.clock.set(midnight_of(due) + 1h);
  CHECK(w.raise() == 0);
  CHECK(w.feed("sip.followup_due", ids.plan_id).size() == 1);

  // Followed up with a next date: raised again when that comes.
  w.clock.set(midnight_of(due) + 2h);
  const std::string next = date_of(start + std::chrono::days{40});
  w.change(ids.plan_id, sc::RecordFollowup{kp::sip::NextFollowup{next}});
  w.clock.set(midnight_of(next) - 1s);
  CHECK(w.raise() == 0);
  w.clock.set(midnight_of(next));
  CHECK(w.raise() == 1);
  const auto again = w.feed("sip.followup_due", ids.plan_id);
  REQUIRE(again.size() == 2);
  CHECK(again[1]["facts"]["followup_due"] == next);
  REQUIRE(eventually([&] { return w.delivered(kp::sip_coordination::kFollowupDue).size() == 2; }));
  w.wait_settled();
  reminders = w.delivered(kp::sip_coordination::kFollowupDue);
  REQUIRE(reminders.size() == 2);
  CHECK(reminders[1].recipient() == "p2");
  CHECK(reminders[1].payload["followup_due"] == next);
}

TEST_CASE("a withdrawal withholds the plan update still queued and tells the participants without content",
          "[sip_coordinator][consent]") {
  SipWorld w;
  const TimePoint start = w.clock.now();
  const PlanIds ids = w.established_plan(date_of(start + std::chrono::days{20}));
  w.wait_settled();

  w.down = true;
  w.clock.set(start + std::chrono::days{4});
  const auto revised = w.revise(ids.plan_id, "Vårdkontakt varje vecka.");
  const auto queued = sent_ids(revised, kp::sip_coordination::kPlanUpdated);
  REQUIRE(queued.size() == 2);
  const std::string to_p2 = queued.at("p2");
  const std::string to_p3 = queued.at("p3");
  // The region refused it at least once: it is queued, not lost.
  REQUIRE(eventually([&] {
    for (const Received& r : w.received()) {
      if (r.message_id == to_p2 && r.status == 503) return true;
    }
    return false;
  }));

  w.clock.set(start + std::chrono::days{4} + 1h);
  REQUIRE(w.withdraw(ids.consent_id).has_value());
  w.down = false;

  REQUIRE(eventually([&] { return w.delivered(kp::sip_coordination::kConsentWithdrawn).size() == 2; }));
  w.wait_settled();
  for (const std::string& id : std::vector<std::string>{to_p2, to_p3}) {
    INFO("queued plan update " << id);
    CHECK(w.status_of(id) == kp::MessageStatus::withheld);
    for (const Received& r : w.received()) CHECK_FALSE((r.message_id == id && r.delivered()));
  }
  std::set<std::string> told;
  for (const Received& notice : w.delivered(kp::sip_coordination::kConsentWithdrawn)) {
    told.insert(notice.recipient());
    CHECK(notice.payload["plan_id"] == ids.plan_id);
    CHECK_FALSE(notice.payload.contains("plan"));
    CHECK(notice.body.find(kPersonId) == std::string::npos);
    CHECK(notice.body.find("Vårdkontakt") == std::string::npos);
  }
  CHECK(told == std::set<std::string>{"p2", "p3"});
  CHECK(w.feed("sip.consent_withdrawn", ids.plan_id).size() == 1);
  // Nothing with content went out after the withdrawal: every plan delivered predates the revision.
  for (const Received& r : w.delivered(kp::sip_coordination::kPlanUpdated)) {
    CHECK(r.version() < revised.record.version);
    const auto& consent = r.payload["plan"]["consent"];
    CHECK((!consent.contains("withdrawn_at") || consent["withdrawn_at"].is_null()));
  }
}

TEST_CASE("revisions made while the region is down reach it in the order they were made",
          "[sip_coordinator][delivery]") {
  SipWorld w;
  const TimePoint start = w.clock.now();
  const PlanIds ids = w.established_plan(date_of(start + std::chrono::days{20}));
  w.wait_settled();

  w.down = true;
  w.clock.set(start + std::chrono::days{4});
  const int first = w.revise(ids.plan_id, "Vårdkontakt varje vecka.").record.version;
  w.clock.set(start + std::chrono::days{4} + 1min);
  const int second = w.revise(ids.plan_id, "Vårdkontakt två gånger i veckan.").record.version;
  REQUIRE(second == first + 1);
  REQUIRE(eventually([&] {
    for (const Received& r : w.received()) {
      if (r.status == 503) return true;
    }
    return false;
  }));
  w.down = false;
  w.wait_settled();

  for (const std::string participant : {"p2", "p3"}) {
    INFO("participant " << participant);
    std::vector<int> versions;
    for (const Received& r : w.received()) {
      if (r.delivered() && r.recipient() == participant) versions.push_back(r.version());
    }
    CHECK(only_increasing(versions));
    CHECK(std::count(versions.begin(), versions.end(), first) == 1);
    CHECK(std::count(versions.begin(), versions.end(), second) == 1);
    CHECK((!versions.empty() && versions.back() == second));
  }
}

TEST_CASE("every step leaves an audit record naming the plan and the person; every send its delivery record",
          "[sip_coordinator][audit]") {
  SipWorld w;
  const TimePoint start = w.clock.now();
  const std::string overdue = w.initiate().record.plan_id;
  const std::string due = date_of(start + std::chrono::days{10});
  const PlanIds ids = w.established_plan(due);
  w.wait_settled();
  w.clock.set(start + std::chrono::days{4});
  w.revise(ids.plan_id, "Vårdkontakt varje vecka.");
  w.wait_settled();
  w.clock.set(midnight_of(due) + 1h);
  CHECK(w.raise() == 2);  // the first plan's meeting is overdue; the second's follow-up is due
  w.change(ids.plan_id, sc::RecordFollowup{kp::sip::NextFollowup{date_of(start + std::chrono::days{40})}});
  w.wait_settled();
  w.down = true;
  w.clock.set(midnight_of(due) + 2h);
  const auto withheld = sent_ids(w.revise(ids.plan_id, "Vårdkontakt två gånger i veckan."), kp::sip_coordination::kPlanUpdated);
  REQUIRE(eventually([&] {
    const auto seen = w.received();
    return std::any_of(seen.begin(), seen.end(), [](const Received& r) { return r.status == 503; });
  }));
  w.clock.set(midnight_of(due) + 3h);
  REQUIRE(w.withdraw(ids.consent_id).has_value());
  w.down = false;
  w.wait_settled();

  const auto records = w.audit();
  std::multiset<std::string> sip_kinds;
  for (const kp::AuditRecord& r : records) {
    if (!r.kind.starts_with("sip.")) continue;
    INFO(r.kind << " " << r.body.dump());
    sip_kinds.insert(r.kind);
    const std::string plan = r.body.value("plan_id", "");
    CHECK((plan == ids.plan_id || plan == overdue));
    CHECK(r.body.value("person_id", "") == kPersonId);
  }
  CHECK(sip_kinds.count("sip.initiated") == 2);
  CHECK(sip_kinds.count("sip.invited") == 2);
  CHECK(sip_kinds.count("sip.reply_received") == 2);
  CHECK(sip_kinds.count("sip.meeting_scheduled") == 1);
  CHECK(sip_kinds.count("sip.plan_established") == 1);
  CHECK(sip_kinds.count("sip.plan_revised") == 2);
  CHECK(sip_kinds.count("sip.followed_up") == 1);
  CHECK(sip_kinds.count("sip.meeting_overdue") == 1);
  CHECK(sip_kinds.count("sip.followup_due") == 1);

  // The withdrawal is one record with the registry's own: it names the person and the plan.
  int withdrawals = 0;
  for (const kp::AuditRecord& r : records) {
    if (r.kind != "consent.withdrawn") continue;
    ++withdrawals;
    CHECK(r.body.value("person_id", "") == kPersonId);
    REQUIRE(r.body.contains("sip_plans"));
    REQUIRE(r.body["sip_plans"].size() == 1);
    CHECK(r.body["sip_plans"][0]["plan_id"] == ids.plan_id);
  }
  CHECK(withdrawals == 1);

  // Every message of the plan has the delivery record of its end.
  const auto audited = [&](const std::string& kind, const std::string& message_id) {
    return std::count_if(records.begin(), records.end(), [&](const kp::AuditRecord& r) {
      return r.kind == kind && r.body.value("message_id", "") == message_id;
    });
  };
  auto messages = w.stack.store->messages_by_ordering_key(ids.plan_id);
  REQUIRE(messages.has_value());
  CHECK(messages->size() >= 10);
  for (const kp::OutboxMessage& m : *messages) {
    INFO(m.type << " " << m.id);
    const bool was_withheld = std::any_of(withheld.begin(), withheld.end(), [&](const auto& w_) { return w_.second == m.id; });
    if (was_withheld) {
      CHECK(m.status == kp::MessageStatus::withheld);
      CHECK(audited("delivery.withheld", m.id) == 1);
    } else {
      CHECK(m.status == kp::MessageStatus::delivered);
      CHECK(audited("delivery.attempt", m.id) >= 1);
      CHECK(audited("delivery.withheld", m.id) == 0);
    }
  }
}

// The plan's clock is the domain's time (deadlines, history); when a message may be sent is the
// delivery engine's, which runs on the wall clock. A coordinator clock ahead of the wall (a test,
// or a clock skewed on one gateway) must not hold a participant's invitation back.
TEST_CASE("a message the coordinator enqueues is due by the wall clock, whatever the plan's clock says",
          "[sip_coordinator][delivery][clock]") {
  SipWorld w;
  w.clock.set(std::chrono::floor<std::chrono::hours>(system_clock::now() + std::chrono::days{30}));
  const std::string plan_id = w.initiate().record.plan_id;
  const auto invited =
      w.change(plan_id, sc::InviteParticipant{participant(kVardcentral, kp::sip::OrganisationKind::region, "VC")});
  const auto ids = sent_ids(invited, kp::sip_coordination::kInvitation);
  REQUIRE(ids.size() == 1);
  CHECK(eventually([&] { return w.delivered(kp::sip_coordination::kInvitation).size() == 1; }, 3000ms));
  auto stored = w.stack.stored(ids.at("p2"));
  REQUIRE(stored.has_value());
  CHECK(stored->created_at_ms <= delivery_test::now_ms());
}

// Rounds may overlap (a slow round and the next tick): the store's record of what was raised is
// read under the plan's lock, so each reminder is raised once.
TEST_CASE("two rounds at once on one gateway raise each reminder once", "[sip_coordinator][reminders]") {
  SipWorld w;
  const TimePoint start = w.clock.now();
  std::vector<std::string> plans;
  for (int i = 0; i < 10; ++i) plans.push_back(w.initiate().record.plan_id);
  w.clock.set(start + std::chrono::days{8});

  std::promise<std::expected<int, kp::StoreError>> first, second;
  auto first_done = first.get_future();
  auto second_done = second.get_future();
  w.coordinator.raise_reminders([&first](auto raised) { first.set_value(std::move(raised)); });
  w.coordinator.raise_reminders([&second](auto raised) { second.set_value(std::move(raised)); });
  const auto a = first_done.get();
  const auto b = second_done.get();
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(*a + *b == 10);
  for (const std::string& plan : plans) {
    INFO("plan " << plan);
    CHECK(w.feed("sip.meeting_overdue", plan).size() == 1);
  }
}
