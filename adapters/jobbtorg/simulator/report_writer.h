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
};

std::string format_date(std::chrono::sys_days day);
std::optional<std::chrono::sys_days> parse_date(std::string_view text);

// The type-specific member of a report ("inskrivning", "narvaro", ...) for `typ`, or nullopt for
// a typ the README does not define.
std::optional<std::pair<std::string, nlohmann::json>> report_details(std::string_view typ, const ReferralFacts& facts,
                                                                     const AttendancePlan& attendance);

// INSKRIVNING, FORSTA_BESOK, IB_DEL2_KLAR, NARVARO, AVSLUT (ARBETE): {typ, anvisningsId, <details>},
// without meddelandeId and tidpunkt, which complete_report adds when a report is first sent.
std::vector<nlohmann::json> report_sequence(const ReferralFacts& facts, const AttendancePlan& attendance);

// Adds what each report carries on the wire: meddelandeId (a new uuid unless present), anvisningsId
// (unless present) and tidpunkt (now, unless present).
void complete_report(nlohmann::json& report, const std::string& anvisnings_id);

}  // namespace knutpunkt::jobbtorg_simulator
