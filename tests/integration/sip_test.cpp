// SIP across the case system (this test), the real gateway and the region's SIP system
// (sip-region-sim): the whole lifecycle, consent scope, withdrawal mid-plan, the region down
// during a revision, a protected person's plan, and the audit trail of every step.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "core/clock.h"
#include "gateway_harness.h"
#include "relative_dates.h"

using knutpunkt::testing::date_from_today;
using knutpunkt::testing::GatewayHarness;
using knutpunkt::testing::HarnessOptions;
using knutpunkt::testing::HttpReply;
using knutpunkt::testing::kCaseSystemToken;
using knutpunkt::testing::kStandingCase;
using knutpunkt::testing::time_from_now;
using knutpunkt::testing::to_reply;
using nlohmann::json;

namespace {

constexpr const char* kPerson = "191212121212";
constexpr const char* kKommun = "kommun-0180/ekonomiskt-bistand-enskede";
constexpr const char* kVardcentral = "region-stockholm/vardcentral-farsta";
constexpr const char* kPsykiatri = "region-stockholm/psykiatri-sodra";  // never in the consent
constexpr const char* kBeroende = "region-stockholm/beroendemottagning-sodra";

HarnessOptions with_region() {
  HarnessOptions o;
  o.with_sip_region = true;
  return o;
}

httplib::Headers auth(std::optional<int> if_match = std::nullopt) {
  httplib::Headers h{{"Authorization", std::string("Bearer ") + kCaseSystemToken}};
  if (if_match) h.emplace("If-Match", "\"" + std::to_string(*if_match) + "\"");
  return h;
}

json caseworker() {
  return {{"id", "hand-0042"}, {"unit", "Enskede-Årsta-Vantör"}};
}

json participant(const std::string& organisation, const std::string& kind, const std::string& unit) {
  return {{"organisation", organisation},
          {"organisation_kind", kind},
          {"unit", unit},
          {"role", "kontaktperson"},
          {"contact", {{"name", "Kim Kontakt"}, {"phone", "08-123 456"}, {"email", "kim@example.se"}}}};
}

json initiation(bool protected_identity = false) {
  return {{"case_id", kStandingCase},
          {"person_id", "19121212-1212"},
          {"purpose", "ekonomiskt_bistand"},
          {"caseworker", caseworker()},
          {"protected_identity", protected_identity},
          {"consent",
           {{"document_reference", "DOK-2026-77"},
            {"given_at", time_from_now(-std::chrono::days{14})},
            {"organisations", {kKommun, kVardcentral, kBeroende}}}},
          {"coordinator", participant(kKommun, "kommun", "Enskede-Årsta-Vantör")}};
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds{15}) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return done();
}

// The case system's side of one plan.
struct Plan {
  GatewayHarness& gw;
  std::string id;
  int version = 0;

  HttpReply act(const std::string& action, json body, bool match = true) {
    body["caseworker"] = caseworker();
    HttpReply r = gw.post("/v1/sip-plans/" + id + "/" + action, body.dump(), auth(match ? std::optional<int>(version) : std::nullopt));
    if (r.status == 200) version = r.body["plan"]["version"].get<int>();
    return r;
  }
  json read() {
    HttpReply r = gw.get_with("/v1/sip-plans/" + id, auth());
    REQUIRE(r.status == 200);
    version = r.body["version"].get<int>();
    return r.body;
  }
  const json* participant_at(const json& plan, const std::string& organisation) {
    for (const json& p : plan["participants"]) {
      if (p["organisation"] == organisation) return &p;
    }
    return nullptr;
  }
};

Plan initiate(GatewayHarness& gw, bool protected_identity = false) {
  HttpReply r = gw.post("/v1/sip-plans", initiation(protected_identity).dump(), auth());
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  return Plan{gw, r.body["plan"]["plan_id"].get<std::string>(), r.body["plan"]["version"].get<int>()};
}

json region_messages(GatewayHarness& gw, const std::string& plan_id) {
  auto r = gw.region_simulator->Get("/_sim/received?plan_id=" + plan_id);
  REQUIRE(r);
  return json::parse(r->body)["messages"];
}

json region_view(GatewayHarness& gw, const std::string& plan_id) {
  auto r = gw.region_simulator->Get("/_sim/plans/" + plan_id);
  REQUIRE(r);
  return r->status == 200 ? json::parse(r->body) : json();
}

std::size_t count_type(const json& messages, const std::string& type) {
  std::size_t n = 0;
  for (const json& m : messages) n += m["type"] == type ? 1 : 0;
  return n;
}

std::vector<std::string> feed_types(GatewayHarness& gw, const std::string& plan_id) {
  HttpReply r = gw.get_with("/v1/events?after=0&limit=500", auth());
  REQUIRE(r.status == 200);
  std::vector<std::string> types;
  for (const json& e : r.body["events"]) {
    if (e["correlation_id"] == plan_id) types.push_back(e["type"].get<std::string>());
  }
  return types;
}

std::string p2_of(Plan& plan, const json& document, const std::string& organisation) {
  const json* p = plan.participant_at(document, organisation);
  REQUIRE(p != nullptr);
  return (*p)["participant_id"].get<std::string>();
}

// Initiate, invite the vårdcentral (the simulator accepts), schedule, establish: the usual start.
std::string establish_with_vardcentral(Plan& plan) {
  HttpReply invited = plan.act("participants", {{"participant", participant(kVardcentral, "region", "Vårdcentral Farsta")}});
  INFO(invited.body.dump());
  REQUIRE(invited.status == 200);
  const std::string p2 = p2_of(plan, invited.body["plan"], kVardcentral);
  REQUIRE(wait_until([&] {
    const json document = plan.read();
    const json* p = plan.participant_at(document, kVardcentral);
    return p && (*p)["invitation_status"] == "accepted";
  }));
  // The plan is agreed at the meeting, so the meeting is held (a moment from now) before it is established.
  const auto held = std::chrono::system_clock::now() + std::chrono::milliseconds{300};
  HttpReply meeting = plan.act(
      "meeting", {{"meeting", {{"at", knutpunkt::format_utc(held)}, {"place", "Farsta vårdcentral, rum 3"}, {"kind", "fysiskt"}}}});
  INFO(meeting.body.dump());
  REQUIRE(meeting.status == 200);
  std::this_thread::sleep_until(held + std::chrono::milliseconds{50});
  HttpReply established = plan.act(
      "establishment",
      {{"plan",
        {{"needs", {{{"need_id", "n1"}, {"description", "Stöd att hantera ångest i vardagen"}}}},
         {"goals", {{{"goal_id", "g1"}, {"description", "Kunna delta i arbetsförberedande insats"}, {"need_ids", {"n1"}}}}},
         {"insatser",
          {{{"insats_id", "i1"}, {"description", "Samtalsstöd"}, {"responsible_huvudman", "region"},
            {"responsible_participant_id", p2}, {"start_date", date_from_today(7)}, {"end_date", nullptr}}}},
         {"huvudansvar", "p1"},
         {"followup_due", date_from_today(60)}}}});
  INFO(established.body.dump());
  REQUIRE(established.status == 200);
  return p2;
}

json revision(const std::string& summary) {
  return {{"revision", {{"needs", {{{"need_id", "n1"}, {"description", summary}}}}, {"summary", summary}}}};
}

std::vector<json> audit_of(GatewayHarness& gw, const std::string& plan_id) {
  std::vector<json> out;
  for (const auto& r : gw.audit_records()) {
    if (r.kind.starts_with("sip.") && r.body.value("plan_id", "") == plan_id) {
      json entry = r.body;
      entry["kind"] = r.kind;
      out.push_back(entry);
    }
  }
  return out;
}

// Attempts at the region's system that failed and are to be tried again, as audited.
int region_retries(GatewayHarness& gw) {
  int retries = 0;
  for (const auto& r : gw.audit_records()) {
    if (r.kind == "delivery.attempt" && r.body.value("destination", "") == "region-stockholm" &&
        r.body.value("outcome", "") == "retry") {
      ++retries;
    }
  }
  return retries;
}

}  // namespace

TEST_CASE("a SIP runs its whole lifecycle between the case system, the gateway and the region's system", "[sip]") {
  GatewayHarness gw("sip_lifecycle", with_region());
  Plan plan = initiate(gw);
  CHECK(plan.version == 1);
  const std::string p2 = establish_with_vardcentral(plan);

  // The region proposes a change; the coordinator hears of it and revises.
  auto proposed = gw.region_simulator->Post(
      "/_sim/proposals",
      json{{"plan_id", plan.id}, {"participant_id", p2}, {"summary", "Lägg till fysisk aktivitet på recept"}}.dump(),
      "application/json");
  REQUIRE(proposed);
  INFO(proposed->body);
  REQUIRE(json::parse(proposed->body)["gateway_status"] == 202);
  HttpReply revised = plan.act("revisions", revision("Stöd att hantera ångest, med fysisk aktivitet"));
  REQUIRE(revised.status == 200);
  HttpReply followed = plan.act("followups", {{"next_followup_due", date_from_today(150)}});
  REQUIRE(followed.status == 200);
  HttpReply closed = plan.act("closure", {{"reason", "Målen uppnådda"}});
  INFO(closed.body.dump());
  REQUIRE(closed.status == 200);
  CHECK(closed.body["plan"]["status"] == "closed");

  // The region's system saw the plan at every version it was sent, in order, and the closure.
  REQUIRE(wait_until([&] { return region_view(gw, plan.id).value("closed", false); }));
  const json messages = region_messages(gw, plan.id);
  CHECK(count_type(messages, "KALLELSE") == 1);
  CHECK(count_type(messages, "PLANUPPDATERING") == 4);  // meeting, established, revised, followed up
  int last = 0;
  for (const json& m : messages) {
    CHECK(m["plan_version"].get<int>() >= last);
    last = m["plan_version"].get<int>();
    CHECK(m["recipient"]["deltagarId"] == p2);
  }
  const json view = region_view(gw, plan.id);
  CHECK(view["plan"] != nullptr);

  // Every change is a case event, in the order made.
  const std::vector<std::string> expected{"sip.initiated",      "sip.invited",          "sip.reply_received",
                                          "sip.meeting_scheduled", "sip.plan_established", "sip.change_proposed",
                                          "sip.plan_revised",   "sip.followed_up",      "sip.closed"};
  CHECK(feed_types(gw, plan.id) == expected);
  // Utan dröjsmål: how long the meeting came after the initiative is on the event.
  HttpReply events = gw.get_with("/v1/events?after=0&limit=500", auth());
  for (const json& e : events.body["events"]) {
    if (e["type"] != "sip.meeting_scheduled" || e["correlation_id"] != plan.id) continue;
    CHECK(e["facts"]["meeting"]["hours_after_initiative"] == 0);
    CHECK(e["facts"]["meeting"]["within_limit"] == true);
  }

  // Every version stays readable; a change made from a stale copy is refused.
  HttpReply first = gw.get_with("/v1/sip-plans/" + plan.id + "/versions/1", auth());
  REQUIRE(first.status == 200);
  CHECK(first.body["version"] == 1);
  CHECK(first.body["status"] == "initiated");
  plan.version = 2;
  HttpReply stale = plan.act("closure", {{"reason", "igen"}});
  CHECK(stale.status == 412);
  CHECK(stale.body["code"] == "version_mismatch");

  // Audit: who did what, on which plan and person, for every step, the region's messages included.
  std::set<std::string> kinds;
  for (const json& a : audit_of(gw, plan.id)) {
    kinds.insert(a["kind"].get<std::string>());
    if (a["kind"] != "sip.read" && a["kind"] != "sip.refused") CHECK(a["person_id"] == kPerson);
  }
  for (const char* kind : {"sip.initiated", "sip.invited", "sip.participant_message_received", "sip.meeting_scheduled",
                           "sip.plan_established", "sip.plan_revised", "sip.followed_up", "sip.closed", "sip.read",
                           "sip.refused"}) {
    INFO(kind);
    CHECK(kinds.contains(kind));
  }
  // The registry holds the consent the plan was started under.
  HttpReply consents = gw.post("/v1/consents/search", R"({"person_id": "191212121212"})", auth());
  REQUIRE(consents.status == 200);
  bool found = false;
  for (const json& c : consents.body["consents"]) found = found || (c["partner"] == "sip" && c["organisations"].size() == 3);
  CHECK(found);
}

TEST_CASE("a participant outside the consent is never sent anything", "[sip]") {
  GatewayHarness gw("sip_outside_consent", with_region());
  Plan plan = initiate(gw);
  HttpReply refused = plan.act("participants", {{"participant", participant(kPsykiatri, "region", "Psykiatri Södra")}});
  INFO(refused.body.dump());
  CHECK(refused.status == 403);
  CHECK(refused.body["code"] == "participant_not_in_consent");
  // A participant within the consent is invited and sent the kallelse; the other never appears.
  establish_with_vardcentral(plan);
  REQUIRE(wait_until([&] { return count_type(region_messages(gw, plan.id), "PLANUPPDATERING") >= 2; }));
  for (const json& m : region_messages(gw, plan.id)) CHECK(m["recipient"]["organisation"] != kPsykiatri);
  for (const json& p : plan.read()["participants"]) CHECK(p["organisation"] != kPsykiatri);
  // The refusal is audited.
  bool audited = false;
  for (const json& a : audit_of(gw, plan.id)) audited = audited || (a["kind"] == "sip.refused" && a["code"] == "participant_not_in_consent");
  CHECK(audited);
  // The region cannot speak for a participant that is not its own in this plan.
  auto reply = gw.region_simulator->Post(
      "/_sim/replies", json{{"plan_id", plan.id}, {"participant_id", "p1"}, {"reply", "accepted"}}.dump(), "application/json");
  REQUIRE(reply);
  CHECK(json::parse(reply->body)["gateway_status"] == 404);
}

TEST_CASE("a withdrawal mid-plan stops sharing at once and tells participants without content", "[sip]") {
  GatewayHarness gw("sip_withdrawal", with_region());
  Plan plan = initiate(gw);
  establish_with_vardcentral(plan);
  REQUIRE(wait_until([&] { return count_type(region_messages(gw, plan.id), "PLANUPPDATERING") == 2; }));

  // The region's system is down while a revision is queued; then the client withdraws consent.
  REQUIRE(gw.region_simulator->Put("/_sim/down", "{}", "application/json"));
  HttpReply revised = plan.act("revisions", revision("Ändrat behov"));
  REQUIRE(revised.status == 200);
  const int revised_version = plan.version;
  REQUIRE(revised.body["delivery"]["sent_to"].size() == 1);
  const std::string consent_id = plan.read()["consent"]["reference"].get<std::string>();
  HttpReply withdrawn = gw.del("/v1/consents/" + consent_id, auth());
  INFO(withdrawn.body.dump());
  REQUIRE(withdrawn.status == 200);
  CHECK(withdrawn.body["state"] == "withdrawn");
  CHECK(plan.read()["consent"]["withdrawn_at"] != nullptr);

  // The region's system comes back only once the revision is withheld: an attempt at it already
  // past its release check when the withdrawal was accepted would otherwise still reach it.
  const std::string revision_message = revised.body["delivery"]["sent_to"][0]["message_id"];
  std::string revision_status;
  const bool withheld_while_down = wait_until([&] {
    revision_status = gw.get_as_operator("/v1/messages/" + revision_message).body.value("status", "");
    return revision_status == "withheld";
  });
  CAPTURE(revision_status);
  REQUIRE(withheld_while_down);
  REQUIRE(gw.region_simulator->Delete("/_sim/down"));
  REQUIRE(wait_until([&] { return region_view(gw, plan.id).value("consent_withdrawn", false); }));
  std::this_thread::sleep_for(std::chrono::milliseconds{500});
  const json messages = region_messages(gw, plan.id);
  for (const json& m : messages) CHECK(m["plan_version"].get<int>() != revised_version);
  CHECK(region_view(gw, plan.id)["content_after_withdrawal"] == 0);
  for (const json& m : messages) {
    if (m["type"] != "SAMTYCKE_ATERKALLAT") continue;
    CHECK_FALSE(m["body"].contains("plan"));
    CHECK(m["body"].dump().find(kPerson) == std::string::npos);
  }
  // The queued revision ended withheld, and that is audited.
  bool withheld = false;
  for (const auto& r : gw.audit_records()) {
    if (r.kind == "delivery.withheld" && revised.body["delivery"]["sent_to"][0]["message_id"] == r.body.value("message_id", "")) {
      withheld = true;
    }
  }
  CHECK(withheld);
  const auto types = feed_types(gw, plan.id);
  CHECK(std::find(types.begin(), types.end(), "sip.consent_withdrawn") != types.end());

  // Nothing more goes out: a later change is recorded for the coordinator only, or refused.
  HttpReply later = plan.act("revisions", revision("Efter återkallelse"));
  if (later.status == 200) CHECK(later.body["delivery"]["sent_to"].empty());
  else CHECK(later.status == 409);
  HttpReply invite = plan.act("participants", {{"participant", participant(kBeroende, "region", "Beroendemottagning")}});
  CHECK(invite.status == 409);
}

TEST_CASE("the region's system down during a revision gets the versions later, in order", "[sip]") {
  GatewayHarness gw("sip_region_down", with_region());
  Plan plan = initiate(gw);
  establish_with_vardcentral(plan);
  REQUIRE(wait_until([&] { return count_type(region_messages(gw, plan.id), "PLANUPPDATERING") == 2; }));
  REQUIRE(gw.region_simulator->Put("/_sim/down", "{}", "application/json"));
  std::vector<int> versions;
  for (const char* summary : {"Första ändringen", "Andra ändringen", "Tredje ändringen"}) {
    HttpReply r = plan.act("revisions", revision(summary));
    REQUIRE(r.status == 200);
    versions.push_back(plan.version);
  }
  // Back up only once an attempt has failed: how many fit in a fixed pause depends on the
  // machine's load.
  REQUIRE(wait_until([&] { return region_retries(gw) >= 1; }));
  REQUIRE(gw.region_simulator->Delete("/_sim/down"));
  REQUIRE(wait_until([&] { return count_type(region_messages(gw, plan.id), "PLANUPPDATERING") == 5; }));
  std::vector<int> received;
  for (const json& m : region_messages(gw, plan.id)) {
    if (m["type"] == "PLANUPPDATERING") received.push_back(m["plan_version"].get<int>());
  }
  REQUIRE(received.size() == 5);
  CHECK(std::vector<int>(received.end() - 3, received.end()) == versions);
  CHECK(std::is_sorted(received.begin(), received.end()));
  CHECK(region_view(gw, plan.id)["version"] == versions.back());
  // The failed attempts are in the audit log too.
  CHECK(region_retries(gw) >= 1);
}

TEST_CASE("a protected person's plan never carries the meeting place", "[sip]") {
  GatewayHarness gw("sip_protected", with_region());
  Plan plan = initiate(gw, true);
  HttpReply invited = plan.act("participants", {{"participant", participant(kVardcentral, "region", "Vårdcentral Farsta")}});
  REQUIRE(invited.status == 200);
  REQUIRE(wait_until([&] {
    const json document = plan.read();
    const json* p = plan.participant_at(document, kVardcentral);
    return p && (*p)["invitation_status"] == "accepted";
  }));
  // A meeting must lie after the plan's initiative (now), so its time is taken from the clock.
  HttpReply meeting = plan.act(
      "meeting",
      {{"meeting",
        {{"at", time_from_now(std::chrono::days{7})}, {"place", "Storgatan 1, Farsta"}, {"kind", "fysiskt"}}}});
  REQUIRE(meeting.status == 200);
  CHECK(meeting.body["plan"]["meeting"]["place"] == "");
  REQUIRE(wait_until([&] { return count_type(region_messages(gw, plan.id), "PLANUPPDATERING") == 1; }));
  for (const json& m : region_messages(gw, plan.id)) {
    CHECK(m["body"].dump().find("Storgatan") == std::string::npos);
    CHECK(m["body"]["skyddadePersonuppgifter"] == true);
  }
  const auto types = feed_types(gw, plan.id);
  REQUIRE_FALSE(types.empty());
  HttpReply events = gw.get_with("/v1/events?after=0&limit=500", auth());
  for (const json& e : events.body["events"]) {
    if (e["correlation_id"] == plan.id) CHECK(e["protected_identity"] == true);
  }
}

TEST_CASE("bad SIP requests get a problem naming the field and change nothing", "[sip]") {
  GatewayHarness gw("sip_bad_input", with_region());
  json body = initiation();
  body["consent"].erase("organisations");
  body["coordinator"]["organisation"] = "Kommun Med Mellanslag";
  HttpReply r = gw.post("/v1/sip-plans", body.dump(), auth());
  REQUIRE(r.status == 400);
  std::set<std::string> names;
  for (const json& p : r.body["invalid-params"]) names.insert(p["name"].get<std::string>());
  CHECK(names.contains("consent.organisations"));
  CHECK(names.contains("coordinator.organisation"));
  Plan plan = initiate(gw);
  HttpReply bad_meeting = plan.act("meeting", {{"meeting", {{"at", "i morgon"}, {"place", "x"}, {"kind", "fysiskt"}}}});
  REQUIRE(bad_meeting.status == 400);
  CHECK(bad_meeting.body["invalid-params"][0]["name"] == "meeting.at");
  HttpReply too_early = plan.act("establishment", {{"plan", {{"needs", json::array()}, {"goals", json::array()},
                                                             {"insatser", json::array()}, {"huvudansvar", "p1"},
                                                             {"followup_due", date_from_today(30)}}}});
  CHECK(too_early.status == 409);
  CHECK(plan.read()["version"] == 1);
  // Another client cannot see the plan, and a client without the operation cannot use the API.
  HttpReply other = gw.get_with("/v1/sip-plans/" + plan.id, {{"Authorization", "Bearer test-token-other-client"}});
  CHECK(other.status == 403);
  CHECK(other.body["code"] == "operation_not_allowed");

  // Paths that name no plan or no version are refused 404 and audited like every refusal: probing
  // for plan ids is what a log check looks for.
  const auto refused_404 = [&] {
    int n = 0;
    for (const auto& record : gw.audit_records()) n += record.kind == "sip.refused" && record.body["status"] == 404 ? 1 : 0;
    return n;
  };
  const int before = refused_404();
  CHECK(gw.get_with("/v1/sip-plans/-not-an-id", auth()).status == 404);
  CHECK(gw.get_with("/v1/sip-plans/" + plan.id + "/versions/zero", auth()).status == 404);
  CHECK(gw.post("/v1/sip-plans/_x/closure", json{{"caseworker", caseworker()}, {"reason", "x"}}.dump(), auth(1)).status == 404);
  CHECK(refused_404() == before + 3);
}
