// ReferralDeadlineStore on every backend: the reports of a referral in arrival order, and a time
// limit raised once (the active referrals the round reads: referral_store_conformance.cpp).
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

ReferralRecord referral(const std::string& id) {
  ReferralRecord r;
  r.referral_id = id;
  r.client_id = "client-a";
  r.case_id = "EB-" + id;
  r.destination = "jobbtorg-sodra";
  r.person_id = "191212121212";
  r.created_at = "2031-03-01T09:00:00.000Z";
  r.referral = {{"referral_id", id}};
  return r;
}

ReferralReportRecord report(const std::string& referral_id, const std::string& message_id, const std::string& type,
                            const std::string& planned_followup = "") {
  ReferralReportRecord r;
  r.referral_id = referral_id;
  r.partner = "jobbtorg-sodra";
  r.partner_message_id = message_id;
  r.report_type = type;
  r.planned_followup = planned_followup;
  r.received_at = "2031-03-02T09:00:00.000Z";
  return r;
}

std::vector<std::string> types(const std::vector<ReferralReportRecord>& reports) {
  std::vector<std::string> out;
  for (const auto& r : reports) out.push_back(r.report_type);
  return out;
}

}  // namespace

TEST_CASE("a referral's reports are read back in the order they arrived, with their follow-up dates") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  commit_ok(*store, {}, {store_write::PutReferral{referral("R-1")}, store_write::PutReferral{referral("R-2")}});
  // Ids that sort against the arrival order: the order kept is the arrival's.
  commit_ok(*store, {}, {store_write::PutReferralReport{report("R-1", "m-9", "INSKRIVNING", "2031-04-10")}});
  commit_ok(*store, {}, {store_write::PutReferralReport{report("R-2", "m-5", "FORSTA_BESOK")}});
  commit_ok(*store, {}, {store_write::PutReferralReport{report("R-1", "m-1", "UPPFOLJNING")}});

  const auto reports = store->referral_reports("R-1").value();
  REQUIRE(types(reports) == std::vector<std::string>{"INSKRIVNING", "UPPFOLJNING"});
  CHECK(reports[0].planned_followup == "2031-04-10");
  CHECK(reports[0].partner == "jobbtorg-sodra");
  CHECK(reports[0].partner_message_id == "m-9");
  CHECK(reports[0].received_at == "2031-03-02T09:00:00.000Z");
  CHECK(reports[1].planned_followup.empty());
  CHECK(reports[0].position < reports[1].position);
  CHECK(types(store->referral_reports("R-2").value()) == std::vector<std::string>{"FORSTA_BESOK"});
  CHECK(store->referral_reports("R-3").value().empty());
}

// That a second raising is refused as a conflict in a batch of several writers is the committer's
// conformance (committer_conformance.cpp).
TEST_CASE("a referral time limit is raised once: storing it again fails the commit and changes nothing") {
  STORE_BACKEND(backend);
  BackendStore store(backend);
  CHECK_FALSE(store->referral_reminder_raised("R-1", "referral.not_enrolled", "referral").value());
  commit_ok(*store, {record(1, "referral.not_enrolled", "2031-03-04T10:00:00.000Z")},
            {store_write::PutReferralReminder{"R-1", "referral.not_enrolled", "referral", "2031-03-08T09:00:00.000Z"}});
  CHECK(store->referral_reminder_raised("R-1", "referral.not_enrolled", "referral").value());
  CHECK_FALSE(store->referral_reminder_raised("R-1", "referral.first_visit_overdue", "referral").value());
  CHECK_FALSE(store->referral_reminder_raised("R-2", "referral.not_enrolled", "referral").value());

  auto again = store->commit(
      {record(2, "referral.not_enrolled", "2031-03-04T10:00:00.000Z")},
      {store_write::PutReferralReminder{"R-1", "referral.not_enrolled", "referral", "2031-03-09T09:00:00.000Z"}});
  REQUIRE_FALSE(again.has_value());
  // The refused commit's audit record is not stored either.
  CHECK(store->last_audit_record().value()->seq == 1);
}
