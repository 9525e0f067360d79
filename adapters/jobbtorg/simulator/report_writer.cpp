#include "report_writer.h"

#include <charconv>
#include <cstdio>

#include "core/clock.h"
#include "core/ids.h"

namespace knutpunkt::jobbtorg_simulator {

std::string format_date(std::chrono::sys_days day) {
  const std::chrono::year_month_day date{day};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()));
  return out;
}

std::optional<std::chrono::sys_days> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  const auto number = [&](std::size_t from, std::size_t length, auto& out) {
    for (std::size_t i = from; i < from + length; ++i)
      if (text[i] < '0' || text[i] > '9') return false;
    return std::from_chars(text.data() + from, text.data() + from + length, out).ec == std::errc{};
  };
  if (!number(0, 4, year) || !number(5, 2, month) || !number(8, 2, day)) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days{date};
}

bool is_assessment_instrument(std::string_view instrument) {
  return instrument == "IB" || instrument == "FIA";
}

std::vector<nlohmann::json> bedomningar(const ReferralFacts& facts, std::string_view instrument) {
  const std::string datum = format_date(facts.start + std::chrono::days{1});
  const auto bedomning = [&](const char* del, nlohmann::json resultat) {
    return nlohmann::json{
        {"instrument", std::string(instrument)}, {"del", del}, {"datum", datum}, {"resultat", std::move(resultat)}};
  };
  if (instrument == "IB")
    return {bedomning("DEL2", {{"ARBETSFORMAGA", "VISST_HINDER"},
                               {"ARBETSLIVSERFARENHET", "STORT_HINDER"},
                               {"SVENSKA_SPRAKET", "INGET_HINDER"},
                               {"UTBILDNINGSNIVA", "GYMNASIAL"}})};
  if (instrument == "FIA")
    return {bedomning("UTBILDNING", {{"UTBILDNINGSNIVA", "GYMNASIAL"}, {"SVENSKA_SPRAKET", "INGET_HINDER"}}),
            bedomning("ARBETE", {{"ARBETSFORMAGA", "VISST_HINDER"},
                                 {"ARBETSLIVSERFARENHET", "STORT_HINDER"},
                                 {"MOTIVATION", "INGET_HINDER"},
                                 {"HALSOHINDER", "VISST_HINDER"}})};
  return {};
}

std::optional<std::pair<std::string, nlohmann::json>> report_details(std::string_view typ, const ReferralFacts& facts,
                                                                     const AttendancePlan& attendance,
                                                                     const PlanningReports& planning) {
  using std::chrono::days;
  const auto on = [&](int offset) { return format_date(facts.start + days{offset}); };
  if (typ == "INSKRIVNING") {
    nlohmann::json inskrivning{{"datum", on(0)}, {"jobbtorgReferens", facts.jobbtorg_referens}};
    if (planning.followup_days > 0) inskrivning["planeradUppfoljning"] = on(planning.followup_days);
    return std::pair{"inskrivning", std::move(inskrivning)};
  }
  if (typ == "EJ_INSKRIVEN") return std::pair{"ejInskriven", nlohmann::json{{"orsak", "UTEBLEV"}}};
  if (typ == "FORSTA_BESOK") return std::pair{"forstaBesok", nlohmann::json{{"datum", on(0)}, {"genomfort", true}}};
  if (typ == "IB_DEL2_KLAR") return std::pair{"ibDel2", nlohmann::json{{"datum", on(1)}}};
  if (typ == "NARVARO") {
    const int span = std::max(attendance.days, 1);
    // A working day's share of the weekly extent (20 h/week -> 4 h), at least one hour.
    const int hours = std::max(facts.hours_per_week / 5, 1);
    nlohmann::json days_list = nlohmann::json::array();
    for (int i = 0; i < span; ++i) {
      if (i >= span - attendance.ogiltig_streak)
        days_list.push_back({{"datum", on(i)},
                             {"status", "FRANVARANDE"},
                             {"timmar", 0},
                             {"franvaroorsak", "OGILTIG"},
                             {"anmald", false}});
      else if (span >= 2 && i == attendance.absent_day % span)
        days_list.push_back(
            {{"datum", on(i)}, {"status", "FRANVARANDE"}, {"timmar", 0}, {"franvaroorsak", "SJUK"}, {"anmald", true}});
      else
        days_list.push_back({{"datum", on(i)}, {"status", "NARVARANDE"}, {"timmar", hours}});
    }
    return std::pair{"narvaro",
                     nlohmann::json{{"periodFrom", on(0)}, {"periodTom", on(span - 1)}, {"dagar", days_list}}};
  }
  if (typ == "AVBROTT")
    return std::pair{"avbrott", nlohmann::json{{"datum", on(std::max(attendance.days, 1))}, {"orsak", "OVRIGT"}}};
  if (typ == "AVSLUT")
    return std::pair{"avslut", nlohmann::json{{"datum", on(std::max(attendance.days, 1))}, {"orsak", "ARBETE"}}};
  if (typ == "UPPFOLJNING") {
    const int every = planning.followup_days > 0 ? planning.followup_days : 14;
    return std::pair{"uppfoljning", nlohmann::json{{"datum", on(every)}, {"nastaUppfoljning", on(2 * every)}}};
  }
  if (typ == "BEDOMNING")
    return std::pair{"bedomning",
                     bedomningar(facts, planning.assessments.empty() ? "IB" : planning.assessments.front()).front()};
  return std::nullopt;
}

std::optional<nlohmann::json> narvaro_correction(const ReferralFacts& facts, const AttendancePlan& attendance,
                                                 int index) {
  const auto details = report_details("NARVARO", facts, attendance);
  const auto& days_list = details->second["dagar"];
  if (index < 0 || static_cast<std::size_t>(index) >= days_list.size()) return std::nullopt;
  const nlohmann::json& before = days_list[static_cast<std::size_t>(index)];
  nlohmann::json day{{"datum", before["datum"]}, {"version", 2}, {"korrigerad", true}};
  if (before["status"] == "NARVARANDE") {
    day.update({{"status", "FRANVARANDE"}, {"timmar", 0}, {"franvaroorsak", "GILTIG_ANNAN"}, {"anmald", true}});
  } else {
    day.update({{"status", "NARVARANDE"}, {"timmar", std::max(facts.hours_per_week / 5, 1)}});
  }
  return nlohmann::json{{"periodFrom", before["datum"]}, {"periodTom", before["datum"]}, {"dagar", {day}}};
}

std::vector<nlohmann::json> report_sequence(const ReferralFacts& facts, const AttendancePlan& attendance,
                                            const PlanningReports& planning) {
  std::vector<nlohmann::json> reports;
  for (const char* typ :
       {"INSKRIVNING", "FORSTA_BESOK", "IB_DEL2_KLAR", "BEDOMNING", "NARVARO", "UPPFOLJNING", "AVSLUT"}) {
    if (std::string_view(typ) == "NARVARO" && attendance.days <= 0) continue;
    if (std::string_view(typ) == "UPPFOLJNING" && planning.followup_days <= 0) continue;
    if (std::string_view(typ) == "BEDOMNING") {
      for (const auto& instrument : planning.assessments) {
        for (auto& bedomning : bedomningar(facts, instrument))
          reports.push_back({{"typ", typ}, {"anvisningsId", facts.anvisnings_id}, {"bedomning", std::move(bedomning)}});
      }
      continue;
    }
    auto details = report_details(typ, facts, attendance, planning);
    nlohmann::json report{{"typ", typ}, {"anvisningsId", facts.anvisnings_id}};
    report[details->first] = std::move(details->second);
    reports.push_back(std::move(report));
    if (std::string_view(typ) == "NARVARO" && attendance.corrected_day) {
      if (auto correction = narvaro_correction(facts, attendance, *attendance.corrected_day)) {
        reports.push_back({{"typ", "NARVARO"}, {"anvisningsId", facts.anvisnings_id}, {"narvaro", *correction}});
      }
    }
  }
  return reports;
}

void complete_report(nlohmann::json& report, const std::string& anvisnings_id) {
  if (!report.contains("meddelandeId")) report["meddelandeId"] = new_uuid();
  if (!report.contains("anvisningsId")) report["anvisningsId"] = anvisnings_id;
  if (!report.contains("tidpunkt")) report["tidpunkt"] = now_utc();
}

}  // namespace knutpunkt::jobbtorg_simulator
