// Prints, as one JSON array, case events built the way adapters build them and serialised by the
// real to_json, so check_schemas.py validates what the gateway actually emits rather than a
// hand-written copy of it.
#include <chrono>
#include <iostream>

#include "attendance/attendance_ledger.h"
#include "attendance/attendance_month.h"
#include "core/case_event.h"
#include "core/clock.h"
#include "core/ids.h"

namespace {

using knutpunkt::CaseEvent;
using nlohmann::json;

CaseEvent lookup_event(const std::string& lookup_id, const std::string& source) {
  CaseEvent e;
  e.event_id = knutpunkt::new_uuid();
  e.type = "partner.lookup.completed";
  e.received_at = knutpunkt::now_utc();
  e.occurred_at = e.received_at;
  e.source_partner = "ssbtek/" + source;
  e.case_id = "EB-2026-000123";
  e.subject = {"191212121212", "personnummer"};
  e.correlation_id = lookup_id;
  e.causation_id = lookup_id;
  return e;
}

}  // namespace

int main() {
  const std::string lookup_id = knutpunkt::new_uuid();
  json events = json::array();

  // LEFI-shaped benefit payments: nested arrays of objects with öre amounts, dates as strings.
  CaseEvent fk = lookup_event(lookup_id, "FK");
  fk.occurred_at = "2026-10-25";
  fk.facts = {
      {"benefit", "bostadsbidrag"},
      {"decision_date", "2026-09-14"},
      {"payments",
       json::array({
           {{"date", "2026-09-25"}, {"amount_ore", 184700}, {"period", {{"from", "2026-09-01"}, {"to", "2026-09-30"}}}},
           {{"date", "2026-10-25"}, {"amount_ore", 184700}, {"period", {{"from", "2026-10-01"}, {"to", "2026-10-31"}}}},
       })},
      {"recovered_ore", -25000},  // återkrav: amounts can be negative
      {"monthly_amounts_ore_by_month", {{"2026-09", json::array({184700, 0})}}},
      {"pending_application", nullptr},
  };
  events.push_back(to_json(fk));

  // Arbetsförmedlingen registration: booleans, nested objects, arrays of strings and of arrays.
  CaseEvent af = lookup_event(lookup_id, "AF");
  af.facts = {
      {"registered", true},
      {"registered_from", "2026-03-02"},
      {"applicant_category", "11"},
      {"activity_reports", json::array({json::array({"2026-09", "inlamnad"}), json::array({"2026-10", "saknas"})})},
      {"unemployment_fund", {{"member", false}, {"fund", nullptr}}},
  };
  events.push_back(to_json(af));

  // A samordningsnummer (day + 60) with protected identity: the flag travels on the event.
  CaseEvent miv = lookup_event(lookup_id, "MIV");
  miv.subject = {"199001720005", "samordningsnummer"};
  miv.protected_identity = true;
  miv.occurred_at = "2026-06-30T10:15:00+02:00";
  miv.facts = {{"permit", "uppehallstillstand"}, {"valid_to", "2027-06-30"}, {"work_permit", true}};
  events.push_back(to_json(miv));

  // A non-lookup event from another partner: no source after the adapter name, empty facts.
  CaseEvent attendance;
  attendance.event_id = knutpunkt::new_uuid();
  attendance.type = "referral.attendance";
  attendance.received_at = knutpunkt::format_utc(std::chrono::system_clock::time_point{} + std::chrono::days{20'000});
  attendance.occurred_at = "2024-10-04";
  attendance.source_partner = "jobbtorg";
  attendance.case_id = "EB-2026-000123";
  attendance.subject = {"191212121212", "personnummer"};
  attendance.correlation_id = knutpunkt::new_uuid();
  attendance.causation_id = "jobbtorg-msg-000981";
  events.push_back(to_json(attendance));

  // A month's attendance summary and a corrected day, with facts as the gateway computes them:
  // hours as decimal text, never a floating point number.
  namespace att = knutpunkt::attendance;
  const auto reported_day = [](const nlohmann::json& facts) { return *att::day_from_facts(facts); };
  const att::DayValues present = reported_day({{"date", "2024-10-01"}, {"attendance", "NARVARANDE"}, {"hours", "2.5"}});
  const att::DayValues absent = reported_day({{"date", "2024-10-02"},
                                              {"attendance", "FRANVARANDE"},
                                              {"planned_hours", "3.5"},
                                              {"absence_reason", "OGILTIG"},
                                              {"absence_reported", false}});
  CaseEvent summary = attendance;
  summary.event_id = knutpunkt::new_uuid();
  summary.type = att::kAttendanceSummary;
  summary.source_partner = "knutpunkt";
  summary.occurred_at = summary.received_at;
  summary.facts = att::summarise(std::chrono::year{2024} / std::chrono::October, {present, absent},
                                 att::terms_of({{"start_date", "2024-10-01"}, {"extent_hours_per_week", 15}}));
  summary.facts["referral_id"] = summary.correlation_id;
  summary.facts["revision"] = 1;
  events.push_back(to_json(summary));
  CaseEvent corrected = attendance;
  corrected.event_id = knutpunkt::new_uuid();
  corrected.type = att::kAttendanceCorrected;
  corrected.occurred_at = "2024-10-02";
  corrected.facts = att::to_json(absent);
  corrected.facts["previous"] = att::to_json(present);
  corrected.facts["version"] = 2;
  events.push_back(to_json(corrected));
  // An assessment result as mappings/jobbtorg/BEDOMNING.json writes it, and the time limits as
  // referral_deadlines raises them (facts pinned by the schema's allOf).
  CaseEvent result = attendance;
  result.event_id = knutpunkt::new_uuid();
  result.type = "assessment.result";
  result.occurred_at = "2026-12-10";
  result.facts = {
      {"referral_id", knutpunkt::new_uuid()}, {"instrument", "IB"},           {"part", "DEL2"},
      {"organisation", "jobbtorg"},           {"completed_on", "2026-12-10"}, {"work_capacity", "VISST_HINDER"},
      {"education_level", "GYMNASIAL"}};
  events.push_back(to_json(result));
  const std::string referral_id = knutpunkt::new_uuid();
  for (const char* type : {"referral.not_enrolled", "referral.first_visit_overdue", "referral.plan_followup_overdue"}) {
    CaseEvent limit = attendance;
    limit.event_id = knutpunkt::new_uuid();
    limit.type = type;
    limit.source_partner = "knutpunkt";
    limit.correlation_id = referral_id;
    limit.causation_id = referral_id;
    limit.occurred_at = "2026-12-15T09:17:23.456Z";
    limit.facts = {{"referral_id", referral_id},
                   {"destination", "jobbtorg-sodra"},
                   {"accepted_at", "2026-12-01T09:17:23.456Z"},
                   {"due_at", "2026-12-15T09:17:23.456Z"}};
    if (std::string(type) == "referral.plan_followup_overdue") {
      limit.facts["planned_followup"] = "2027-01-15";
    } else {
      limit.facts["limit_days"] = 14;
    }
    events.push_back(to_json(limit));
  }

  // The absence flag and its withdrawal as the attendance ledger raises them.
  const std::string flagged_at = "2026-12-01T10:00:00.123Z";
  CaseEvent flag = attendance;
  flag.event_id = knutpunkt::new_uuid();
  flag.type = att::kAbsenceFlagged;
  flag.correlation_id = referral_id;
  flag.occurred_at = "2026-11-04";
  flag.facts = {{"referral_id", referral_id},
                {"month", "2026-11"},
                {"unexcused_days", 3},
                {"threshold", 3},
                {"dates", {"2026-11-02", "2026-11-03", "2026-11-04"}},
                {"flagged_at", flagged_at}};
  events.push_back(to_json(flag));
  CaseEvent withdrawn = flag;
  withdrawn.event_id = knutpunkt::new_uuid();
  withdrawn.type = att::kAbsenceFlagWithdrawn;
  withdrawn.occurred_at = "2026-11-03";
  withdrawn.facts["unexcused_days"] = 2;
  withdrawn.facts["dates"] = {"2026-11-02", "2026-11-04"};
  events.push_back(to_json(withdrawn));

  std::cout << events.dump(2) << '\n';
  return 0;
}
