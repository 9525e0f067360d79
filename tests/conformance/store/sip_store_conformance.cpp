// SipStore on every backend: plans and every version of each, the plans of a consent, the open
// plans page by page, and reminders raised once.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "conformance_support.h"
#include "store_backends.h"

using namespace knutpunkt;
using knutpunkt::conformance::BackendStore;
using knutpunkt::conformance::commit_ok;
using knutpunkt::conformance::record;

namespace {

SipPlanRecord plan(const std::string& plan_id, int version, const std::string& status = "initiated",
                   const std::string& initiated_at = "2026-11-01T09:00:00Z", const std::string& consent_id = "C-1") {
  SipPlanRecord r;
  r.plan_id = plan_id;
  r.client_id = "client-a";
  r.case_id = "EB-" + plan_id;
  r.person_id = "191212121212";
  r.consent_id = consent_id;
  r.status = status;
  r.version = version;
  r.initiated_at = initiated_at;
  r.updated_at = "2026-11-0" + std::to_string(version) + "T10:00:00Z";
  r.plan = {{"plan_id", plan_id}, {"version", version}, {"status", status}, {"goal", "Bostad i Södertälje"}};
  return r;
}

std::vector<std::string> ids(const std::vector<SipPlanRecord>& plans) {
  std::vector<std::string> out;
  for (const auto& p : plans) out.push_back(p.plan_id);
  return out;
}

OutboxMessage sip_message(const std::string& id) {
  OutboxMessage m;
  m.id = id;
  m.destination = "region";
  m.type = "sip.invited";
  m.ordering_key = "SIP-1";
  m.client_id = "client-a";
  m.case_id = "EB-1";
  m.payload = {{"id", id}};
  m.created_at_ms = 1000;
  m.next_attempt_at_ms = 1000;
  return m;
}

}  // namespace

TEST_CASE("a second version of a plan becomes the current row and both versions stay readable") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {record(1, "sip.changed")}, {store_write::PutSipPlan{plan("SIP-1", 1)}});
  SipPlanRecord second = plan("SIP-1", 2, "meeting_scheduled");
  second.meeting_at = "2026-11-20T13:00:00Z";
  second.followup_due = "2027-02-20";
  second.protected_identity = true;
  commit_ok(*store, {record(2, "sip.changed")}, {store_write::PutSipPlan{second}});

  const auto current = store->sip_plan("SIP-1").value();
  REQUIRE(current.has_value());
  CHECK(current->version == 2);
  CHECK(current->status == "meeting_scheduled");
  CHECK(current->client_id == "client-a");
  CHECK(current->case_id == "EB-SIP-1");
  CHECK(current->person_id == "191212121212");
  CHECK(current->consent_id == "C-1");
  CHECK(current->initiated_at == "2026-11-01T09:00:00Z");
  CHECK(current->updated_at == "2026-11-02T10:00:00Z");
  CHECK(current->meeting_at == "2026-11-20T13:00:00Z");
  CHECK(current->followup_due == "2027-02-20");
  CHECK(current->protected_identity);
  CHECK(current->plan == second.plan);

  CHECK(store->sip_plan_version("SIP-1", 1).value() == plan("SIP-1", 1).plan);
  CHECK(store->sip_plan_version("SIP-1", 2).value() == second.plan);
  CHECK(store->sip_plan_version("SIP-1", 3).value() == std::nullopt);
  CHECK(store->sip_plan_version("SIP-9", 1).value() == std::nullopt);
  CHECK(store->sip_plan("SIP-9").value() == std::nullopt);
  CHECK(store->sip_plan_version("SIP-1", 1).value()->at("goal") == "Bostad i Södertälje");
}

TEST_CASE("storing a plan version again fails the whole commit: nothing of the batch is stored") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {record(1, "sip.changed")},
            {store_write::PutSipPlan{plan("SIP-1", 1)}, store_write::PutSipPlan{plan("SIP-1", 2)}});

  // A second writer that also changed version 1 into "its" version 2.
  SipPlanRecord rival = plan("SIP-1", 2, "closed");
  rival.plan["goal"] = "annat";
  auto failed = store->commit(
      {record(2, "sip.changed")},
      {store_write::EnqueueMessage{sip_message("m-1")},
       store_write::PutSipReminder{"SIP-1", "followup_due", "2027-02-20", "x"}, store_write::PutSipPlan{rival}});
  REQUIRE_FALSE(failed.has_value());

  CHECK(store->sip_plan("SIP-1").value()->status == "initiated");
  CHECK(store->sip_plan("SIP-1").value()->plan == plan("SIP-1", 2).plan);
  CHECK(store->sip_plan_version("SIP-1", 2).value() == plan("SIP-1", 2).plan);
  CHECK(store->last_audit_record().value()->seq == 1);
  CHECK(store->message("m-1").value() == std::nullopt);
  CHECK_FALSE(store->sip_reminder_raised("SIP-1", "followup_due", "2027-02-20").value());
}

TEST_CASE("a plan whose document is not valid UTF-8 is refused and nothing is stored") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  SipPlanRecord bad = plan("SIP-1", 1);
  bad.plan["goal"] = std::string("\xff\xfe");
  auto failed = store->commit({record(1, "sip.changed")}, {store_write::PutSipPlan{bad}});
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == "invalid_body");
  CHECK(store->sip_plan("SIP-1").value() == std::nullopt);
  CHECK(store->last_audit_record().value() == std::nullopt);
}

TEST_CASE("the plans of a consent are every plan recorded under it, closed ones included") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {},
            {store_write::PutSipPlan{plan("SIP-1", 1, "invited", "2026-11-03T09:00:00Z", "C-1")},
             store_write::PutSipPlan{plan("SIP-2", 1, "closed", "2026-11-01T09:00:00Z", "C-1")},
             store_write::PutSipPlan{plan("SIP-3", 1, "invited", "2026-11-02T09:00:00Z", "C-2")}});
  CHECK(ids(store->sip_plans_with_consent("C-1").value()) == std::vector<std::string>{"SIP-2", "SIP-1"});
  CHECK(ids(store->sip_plans_with_consent("C-2").value()) == std::vector<std::string>{"SIP-3"});
  CHECK(store->sip_plans_with_consent("C-3").value().empty());

  // A plan moved to another consent (a new one given) leaves the old consent's list.
  commit_ok(*store, {}, {store_write::PutSipPlan{plan("SIP-1", 2, "invited", "2026-11-03T09:00:00Z", "C-2")}});
  CHECK(ids(store->sip_plans_with_consent("C-1").value()) == std::vector<std::string>{"SIP-2"});
  CHECK(ids(store->sip_plans_with_consent("C-2").value()) == std::vector<std::string>{"SIP-3", "SIP-1"});
}

TEST_CASE("open plans are listed oldest initiated first, closed ones left out, page by page") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {},
            {store_write::PutSipPlan{plan("SIP-e", 1, "invited", "2026-11-05T09:00:00Z")},
             store_write::PutSipPlan{plan("SIP-a", 1, "closed", "2026-11-01T09:00:00Z")},
             store_write::PutSipPlan{plan("SIP-c", 1, "plan_established", "2026-11-02T09:00:00Z")},
             store_write::PutSipPlan{plan("SIP-b", 1, "initiated", "2026-11-02T09:00:00Z")},
             store_write::PutSipPlan{plan("SIP-d", 1, "closed", "2026-11-03T09:00:00Z")},
             store_write::PutSipPlan{plan("SIP-f", 1, "followed_up", "2026-11-06T09:00:00Z")}});

  CHECK(ids(store->open_sip_plans("", 10).value()) == std::vector<std::string>{"SIP-b", "SIP-c", "SIP-e", "SIP-f"});

  std::vector<std::string> paged;
  std::string cursor;
  int pages = 0;
  for (;;) {
    const auto page = store->open_sip_plans(cursor, 3).value();
    for (const auto& p : page) paged.push_back(p.plan_id);
    ++pages;
    if (page.size() < 3) break;
    cursor = page.back().plan_id;
  }
  CHECK(paged == std::vector<std::string>{"SIP-b", "SIP-c", "SIP-e", "SIP-f"});
  CHECK(pages == 2);

  // A cursor plan that closed since its page was read still marks where the page ended.
  commit_ok(*store, {}, {store_write::PutSipPlan{plan("SIP-c", 2, "closed", "2026-11-02T09:00:00Z")}});
  CHECK(ids(store->open_sip_plans("SIP-c", 10).value()) == std::vector<std::string>{"SIP-e", "SIP-f"});
  CHECK(ids(store->open_sip_plans("", 2).value()) == std::vector<std::string>{"SIP-b", "SIP-e"});
  CHECK(store->open_sip_plans("SIP-unknown", 10).value().empty());
}

TEST_CASE("a reminder is raised once per plan, kind and key; the first raising is kept") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  CHECK_FALSE(store->sip_reminder_raised("SIP-1", "followup_due", "2027-02-20").value());
  commit_ok(*store, {}, {store_write::PutSipReminder{"SIP-1", "followup_due", "2027-02-20", "2027-02-13T06:00:00Z"}});
  CHECK(store->sip_reminder_raised("SIP-1", "followup_due", "2027-02-20").value());
  // Raising it again is no error and changes nothing.
  commit_ok(*store, {}, {store_write::PutSipReminder{"SIP-1", "followup_due", "2027-02-20", "2027-02-14T06:00:00Z"}});
  // Another key, kind or plan is another reminder.
  CHECK_FALSE(store->sip_reminder_raised("SIP-1", "followup_due", "2027-05-20").value());
  CHECK_FALSE(store->sip_reminder_raised("SIP-1", "meeting", "2027-02-20").value());
  CHECK_FALSE(store->sip_reminder_raised("SIP-2", "followup_due", "2027-02-20").value());
}

TEST_CASE("a first plan version reads back field for field, with no meeting or follow-up yet") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  const SipPlanRecord first = plan("SIP-1", 1);
  commit_ok(*store, {record(1, "sip.changed")}, {store_write::PutSipPlan{first}});
  for (const auto& read : {store->sip_plan("SIP-1").value(), std::optional(store->open_sip_plans("", 10).value().at(0)),
                           std::optional(store->sip_plans_with_consent("C-1").value().at(0))}) {
    REQUIRE(read.has_value());
    CHECK(read->plan_id == "SIP-1");
    CHECK(read->client_id == "client-a");
    CHECK(read->case_id == "EB-SIP-1");
    CHECK(read->person_id == "191212121212");
    CHECK(read->consent_id == "C-1");
    CHECK(read->status == "initiated");
    CHECK(read->version == 1);
    CHECK(read->initiated_at == "2026-11-01T09:00:00Z");
    CHECK(read->updated_at == "2026-11-01T10:00:00Z");
    CHECK(read->meeting_at.empty());
    CHECK(read->followup_due.empty());
    CHECK_FALSE(read->protected_identity);
    CHECK(read->plan == first.plan);
  }
}
