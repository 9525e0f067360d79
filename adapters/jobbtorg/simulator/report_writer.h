#pragma once
// The reports (återrapporter) a Jobbtorg sends about one referral, shaped as in
// adapters/jobbtorg/README.md, "Inbound: reports". Dates follow from the anvisning's startdatum so
// that a test can predict them.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace knutpunkt::jobbtorg_simulator {

struct ReferralFacts {
  std::string anvisnings_id;
  std::string jobbtorg_referens;
  std::chrono::sys_days start;
  int hours_per_week = 0;
};

struct AttendancePlan {
  int days = 3;        // days in the one NARVARO report; 0 leaves NARVARO out
  int absent_day = 1;  // index of the one FRANVARANDE (SJUK, anmäld) day; ignored when days < 2
  // The last this many days are unexcused absence (FRANVARANDE, OGILTIG, not anmäld): a streak
  // that makes the gateway flag the month.
  int ogiltig_streak = 0;
  // When set, a second NARVARO report after the first corrects this day (by index): present
  // becomes absent (GILTIG_ANNAN) and absent becomes present, as version 2, korrigerad.
  std::optional<int> corrected_day;
};

// What Jobbtorg reports about the person's plan and its own parts of the assessments, besides
// enrolment, the first visit and attendance.
struct PlanningReports {
  // > 0: INSKRIVNING plans a follow-up of the person's plan this many days after the start, and an
  // UPPFOLJNING holds it that day and plans the next as many days later.
  int followup_days = 0;
  // Jobbtorg's assessments reported as BEDOMNING, in this order: "IB" (part 2), "FIA" (its areas
  // education and work, one BEDOMNING each).
  std::vector<std::string> assessments;
};

// The instruments `assessments` may name.
bool is_assessment_instrument(std::string_view instrument);

std::string format_date(std::chrono::sys_days day);
std::optional<std::chrono::sys_days> parse_date(std::string_view text);

// The type-specific member of a report ("inskrivning", "narvaro", ...) for `typ`, or nullopt for
// a typ the README does not define. UPPFOLJNING without followup_days plans a fortnight ahead;
// BEDOMNING is the first of `planning`'s assessments (IB part 2 when it names none).
std::optional<std::pair<std::string, nlohmann::json>> report_details(std::string_view typ, const ReferralFacts& facts,
                                                                     const AttendancePlan& attendance,
                                                                     const PlanningReports& planning = {});

// The "bedomning" members of the BEDOMNING reports about `instrument` (IB: DEL2; FIA: UTBILDNING
// and ARBETE), dated the day IB_DEL2_KLAR reports, coded from schemas/jobbtorg/assessment-codes.json.
std::vector<nlohmann::json> bedomningar(const ReferralFacts& facts, std::string_view instrument);

// The "narvaro" member of a report correcting day `index` of the usual NARVARO (see
// AttendancePlan::corrected_day), or nullopt when the plan has no such day.
std::optional<nlohmann::json> narvaro_correction(const ReferralFacts& facts, const AttendancePlan& attendance,
                                                 int index);

// INSKRIVNING, FORSTA_BESOK, IB_DEL2_KLAR, the planned BEDOMNINGs, NARVARO (and its correction when
// planned), UPPFOLJNING (when planned), AVSLUT (ARBETE): {typ, anvisningsId, <details>},
// without meddelandeId and tidpunkt, which complete_report adds when a report is first sent.
std::vector<nlohmann::json> report_sequence(const ReferralFacts& facts, const AttendancePlan& attendance,
                                            const PlanningReports& planning = {});

// Adds what each report carries on the wire: meddelandeId (a new uuid unless present), anvisningsId
// (unless present) and tidpunkt (now, unless present).
void complete_report(nlohmann::json& report, const std::string& anvisnings_id);

}  // namespace knutpunkt::jobbtorg_simulator
