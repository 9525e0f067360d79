#pragma once
// The SIP coordinator in process, as the gateway wires it (gateway/main.cpp): a SQLite store and
// audit log in a temp dir, the delivery engine with one destination "region" (a loopback receiver
// that can be told to answer 503), the release check installed before the engine starts, case
// events into the feed only (no webhooks), and a clock the test moves.
//
// The plan's clock starts 90 days before the wall clock and is moved by the tests; the delivery
// engine keeps to the wall clock (see the wall-clock test in sip_coordinator_test.cpp).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "authorization/exchange_authorizer.h"
#include "core/clock.h"
#include "delivery_harness.h"
#include "routing/event_publisher.h"
#include "routing/route_table.h"
#include "sip_coordination/sip_coordinator.h"
#include "sip_coordination/sip_sharing.h"
#include "sip_organisations.h"

namespace sip_test {

using namespace std::chrono_literals;
using std::chrono::system_clock;
using TimePoint = system_clock::time_point;
namespace kp = knutpunkt;
namespace sc = knutpunkt::sip_coordination;

inline const std::string kClient = "kommun-farsta";
inline const std::string kOrganisation = "stockholm-socialtjanst";
inline const std::string kCaseId = "EB-2030-1";
inline const std::string kPersonId = "191212121212";
inline const std::string kPurpose = "ekonomiskt_bistand";
inline const std::string kKommun = "kommun-0180/farsta-ekonomiskt-bistand";

inline std::string date_of(TimePoint t) { return kp::format_utc(t).substr(0, 10); }
inline TimePoint midnight_of(const std::string& date) {
  auto parsed = kp::parse_utc(date);
  REQUIRE(parsed.has_value());
  return *parsed;
}

// The plan's clock (SipCoordinator::Clock): read on io threads by the release check, moved by the test.
class TestClock {
 public:
  explicit TestClock(TimePoint start) : ms_(to_ms(start)) {}
  TimePoint now() const { return TimePoint{std::chrono::milliseconds{ms_.load()}}; }
  void set(TimePoint t) { ms_ = to_ms(t); }

 private:
  static std::int64_t to_ms(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }
  std::atomic<std::int64_t> ms_;
};

// A region system's wire form for the test: {type, message_id, payload} as JSON to <endpoint>/in.
class SipJsonAdapter final : public kp::OutboundAdapter {
 public:
  explicit SipJsonAdapter(std::string endpoint) : endpoint_(std::move(endpoint)) {}
  const std::string& endpoint() const override { return endpoint_; }
  std::expected<kp::OutboundRequest, kp::RenderError> render(const kp::OutboundMessage& message) const override {
    kp::OutboundRequest r;
    r.path = "/in";
    r.body = nlohmann::json{{"type", message.type}, {"message_id", message.id}, {"payload", message.payload}}.dump();
    return r;
  }

 private:
  std::string endpoint_;
};

// One request the region system received.
struct Received {
  std::string message_id;
  std::string type;
  nlohmann::json payload;
  std::string body;  // as sent
  int status = 0;    // what the region answered
  bool delivered() const { return status >= 200 && status < 300; }
  std::string recipient() const { return payload.value("recipient", nlohmann::json::object()).value("participant_id", ""); }
  int version() const { return payload.value("plan_version", 0); }
};

struct PlanIds {
  std::string plan_id;
  std::string consent_id;
};

inline sip_test::TimePoint plan_clock_start() {
  // A whole hour, so dates and deadlines in the tests read plainly.
  return std::chrono::floor<std::chrono::hours>(system_clock::now() - std::chrono::days{90});
}

inline kp::sip::Participant participant(const std::string& organisation, kp::sip::OrganisationKind kind,
                                        const std::string& unit) {
  kp::sip::Participant p;
  p.organisation = organisation;
  p.organisation_kind = kind;
  p.unit = unit;
  p.role = "handläggare";
  p.contact = {"Kontakt " + unit, "08-123 456 00", "kontakt@example.org"};
  return p;
}

class SipWorld {
 public:
  SipWorld()
      : clock(plan_clock_start()),
        adapter(receiver.url()),
        stack(dir.path / "knutpunkt.db"),
        publisher(routes, {}),
        coordinator(*stack.engine, *stack.store, publisher, config(), [this] { return clock.now(); }),
        authorizer(*stack.store, {{kPurpose, kp::PurposeConfig{kPurpose, "Utredning av rätt till ekonomiskt bistånd"}}},
                   {}) {
    receiver.script([this](const std::string&, int) {
      return delivery_test::Answer{down.load() ? 503 : 200, ""};
    });
    stack.engine->add_destination(delivery_test::fast_settings("region"), adapter);
    // As gateway/main.cpp does: every SIP message with content is held to the consent again.
    coordinator.register_with(*stack.engine);

    client.id = kClient;
    client.organisation = kOrganisation;
    client.purposes = {kPurpose};
    client.operations = {kp::kOperationSip};
    kp::CaseRecord c;
    c.client_id = kClient;
    c.organisation = kOrganisation;
    c.case_id = kCaseId;
    c.status = "open";
    c.unit = "Farsta ekonomiskt bistånd";
    c.household = {kPersonId};
    c.opened_at = c.updated_at = kp::format_utc(clock.now() - std::chrono::days{30});
    REQUIRE(stack.store->commit({}, {kp::store_write::PutCase{c}}).has_value());
    stack.start();
  }
  // The engine stops before the coordinator its release check calls goes away.
  ~SipWorld() { stack.shutdown(); }
  SipWorld(const SipWorld&) = delete;
  SipWorld& operator=(const SipWorld&) = delete;

  static kp::SipConfig config() {
    kp::SipConfig c;
    c.meeting_within_days = 7;
    c.participant_systems = {{"region-stockholm/", "region"}};
    return c;
  }

  sc::SipActor actor() const { return {kClient, "handlaggare-17"}; }

  // --- the coordinator, waited for ---

  sc::SipOutcome initiate() {
    auto authorized =
        authorizer.authorize(client, {kp::kOperationSip, "", kPurpose, kCaseId, kPersonId, "", "", ""}, clock.now());
    REQUIRE(authorized.has_value());
    sc::SipInitiation initiation;
    initiation.person = {kPersonId, "personnummer"};
    initiation.consent.document_reference = "samtycke-17";
    initiation.consent.given_at = kp::format_utc(clock.now() - 1h);
    initiation.consent.organisations = {kKommun, kVardcentral, kPsykiatri};
    initiation.coordinator = participant(kKommun, kp::sip::OrganisationKind::kommun, "Farsta socialtjänst");
    std::promise<std::expected<sc::SipOutcome, kp::Failure>> result;
    auto future = result.get_future();
    coordinator.initiate(*authorized, actor(), std::move(initiation), [&result](auto outcome) {
      result.set_value(std::move(outcome));
    });
    auto outcome = future.get();
    if (!outcome) FAIL("initiate refused: " << outcome.error().code << " at " << outcome.error().field);
    return *outcome;
  }

  std::expected<sc::SipOutcome, kp::Failure> try_change(const std::string& plan_id, sc::SipChange change) {
    std::promise<std::expected<sc::SipOutcome, kp::Failure>> result;
    auto future = result.get_future();
    coordinator.change(actor(), plan_id, std::nullopt, std::move(change),
                       [&result](auto outcome) { result.set_value(std::move(outcome)); });
    return future.get();
  }

  sc::SipOutcome change(const std::string& plan_id, sc::SipChange c) {
    auto outcome = try_change(plan_id, std::move(c));
    if (!outcome) FAIL("change refused: " << outcome.error().code << " at " << outcome.error().field);
    return *outcome;
  }

  int raise() {
    std::promise<std::expected<int, kp::StoreError>> result;
    auto future = result.get_future();
    coordinator.raise_reminders([&result](auto raised) { result.set_value(std::move(raised)); });
    auto raised = future.get();
    REQUIRE(raised.has_value());
    return *raised;
  }

  // As the consent endpoint withdraws a SIP consent (gateway/main.cpp hands it to the coordinator).
  std::expected<kp::AuditReceipt, kp::StoreError> withdraw(const std::string& consent_id) {
    auto found = stack.store->consent(consent_id);
    REQUIRE(found.has_value());
    REQUIRE(found->has_value());
    kp::ConsentRecord c = **found;
    c.withdrawn_at = kp::format_utc(clock.now());
    nlohmann::json body = {{"consent_id", c.consent_id}, {"person_id", c.person_id}, {"partner", c.partner},
                           {"withdrawn_at", c.withdrawn_at}, {"client", kClient}};
    std::promise<std::expected<kp::AuditReceipt, kp::StoreError>> result;
    auto future = result.get_future();
    coordinator.withdraw_consent(c, kClient, "consent.withdrawn", body,
                                 {kp::store_write::WithdrawConsent{c.consent_id, c.withdrawn_at}},
                                 [&result](auto receipt) { result.set_value(std::move(receipt)); });
    return future.get();
  }

  // initiate, invite the vårdcentral (p2) and psykiatrin (p3), both accept, the meeting on day 3,
  // and the plan established that day with p2 responsible for the one insats and holding
  // huvudansvar; follow-up on `followup_due`. The clock ends on the meeting day, after it.
  PlanIds established_plan(const std::string& followup_due) {
    const TimePoint start = clock.now();
    auto initiated = initiate();
    const PlanIds ids{initiated.record.plan_id, initiated.record.consent_id};
    change(ids.plan_id, sc::InviteParticipant{participant(kVardcentral, kp::sip::OrganisationKind::region, "Vårdcentral Farsta")});
    change(ids.plan_id, sc::InviteParticipant{participant(kPsykiatri, kp::sip::OrganisationKind::region, "Psykiatri Södra")});
    clock.set(start + 2h);
    change(ids.plan_id, sc::RecordReply{"p2", kp::sip::Reply::accepted});
    change(ids.plan_id, sc::RecordReply{"p3", kp::sip::Reply::accepted});
    const TimePoint meeting_at = start + std::chrono::days{3};
    change(ids.plan_id, sc::ScheduleMeeting{{kp::format_utc(meeting_at), "Farsta, rum 3", kp::sip::MeetingKind::fysiskt}});
    clock.set(meeting_at + 2h);
    kp::sip::EstablishedContent established;
    established.content.needs = {{"n1", "Behandling av depression."}};
    established.content.goals = {{"g1", "Regelbunden vårdkontakt.", {"n1"}}};
    established.content.insatser = {
        {"i1", "Samtalsbehandling.", kp::sip::OrganisationKind::region, "p2", date_of(meeting_at), std::nullopt}};
    established.content.huvudansvar = "p2";
    established.followup_due = followup_due;
    change(ids.plan_id, sc::EstablishPlan{established});
    return ids;
  }

  sc::SipOutcome revise(const std::string& plan_id, const std::string& goal) {
    kp::sip::Revision revision;
    revision.goals = std::vector<kp::sip::Goal>{{"g1", goal, {"n1"}}};
    revision.summary = "goal g1 revised";
    return change(plan_id, sc::RevisePlan{revision});
  }

  // --- what happened ---

  // The client's feed events of `type` about the plan.
  std::vector<nlohmann::json> feed(const std::string& type, const std::string& plan_id) {
    auto events = stack.store->events_after(kClient, 0, 1000);
    REQUIRE(events.has_value());
    std::vector<nlohmann::json> out;
    for (const kp::StoredEvent& e : *events) {
      if (e.envelope.value("type", "") != type) continue;
      if (e.envelope.value("facts", nlohmann::json::object()).value("plan_id", "") != plan_id) continue;
      out.push_back(e.envelope);
    }
    return out;
  }

  // Every request the region received, in order of arrival.
  std::vector<Received> received() const {
    std::vector<Received> out;
    for (const delivery_test::Seen& s : receiver.seen()) {
      const auto body = nlohmann::json::parse(s.body, nullptr, false);
      REQUIRE(body.is_object());
      out.push_back({s.message_id, body.value("type", ""), body.value("payload", nlohmann::json::object()), s.body,
                     s.status});
    }
    return out;
  }
  std::vector<Received> delivered(const std::string& type) const {
    std::vector<Received> out;
    for (Received& r : received()) {
      if (r.delivered() && r.type == type) out.push_back(std::move(r));
    }
    return out;
  }

  // Nothing the outbox holds is still to be sent (delivered, withheld or dead).
  bool settled() {
    int pending = 0;
    REQUIRE(stack.store
                ->scan_undelivered_messages([&](const kp::OutboxMessage& m) {
                  pending += m.status == kp::MessageStatus::pending ? 1 : 0;
                  return true;
                })
                .has_value());
    return pending == 0;
  }
  void wait_settled() { REQUIRE(delivery_test::eventually([&] { return settled(); })); }

  std::optional<kp::MessageStatus> status_of(const std::string& message_id) {
    auto m = stack.stored(message_id);
    if (!m) return std::nullopt;
    return m->status;
  }

  std::vector<kp::AuditRecord> audit() {
    std::vector<kp::AuditRecord> out;
    REQUIRE(stack.store->scan_audit(1, [&](const kp::AuditRecord& r) {
                             out.push_back(r);
                             return true;
                           })
                .has_value());
    return out;
  }

  delivery_test::TempDir dir;
  delivery_test::Receiver receiver;
  std::atomic<bool> down{false};
  TestClock clock;
  SipJsonAdapter adapter;
  delivery_test::DeliveryStack stack;
  kp::routing::RouteTable routes;
  kp::routing::EventPublisher publisher;
  sc::SipCoordinator coordinator;
  kp::authorization::ExchangeAuthorizer authorizer;
  kp::ClientConfig client;
};

// The message ids of `type` a change sent, by participant.
inline std::map<std::string, std::string> sent_ids(const sc::SipOutcome& outcome, const std::string& type) {
  std::map<std::string, std::string> out;
  for (const auto& s : outcome.sent) {
    if (s.value("type", "") == type) out[s.value("participant_id", "")] = s.value("message_id", "");
  }
  return out;
}

}  // namespace sip_test
