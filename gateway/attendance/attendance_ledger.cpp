#include "attendance/attendance_ledger.h"

#include <algorithm>
#include <map>
#include <optional>

namespace knutpunkt::attendance {
namespace {

std::optional<std::int64_t> partner_version_of(const nlohmann::json& facts) {
  const auto it = facts.find("version");
  if (it == facts.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

StoredDay stored_day(const AttendanceDayRecord& record, DayValues values) {
  StoredDay d{std::move(values), record.version, std::nullopt};
  if (record.partner_version >= 0) d.partner_version = record.partner_version;
  return d;
}

}  // namespace

AttendanceLedger::AttendanceLedger(AttendanceStore& store, AttendanceRules rules) : store_(store), rules_(rules) {}

bool AttendanceLedger::reports_attendance(const std::vector<ReportedEvent>& events) {
  for (const ReportedEvent& e : events) {
    if (e.type == kAttendance) return true;
  }
  return false;
}

int AttendanceLedger::drop_attendance(std::vector<ReportedEvent>& events) {
  return static_cast<int>(std::erase_if(events, [](const ReportedEvent& e) { return e.type == kAttendance; }));
}

std::expected<AttendanceDecision, StoreError> AttendanceLedger::decide(const ReferralRecord& referral,
                                                                       const std::string& partner_message_id,
                                                                       std::vector<ReportedEvent> events,
                                                                       const std::string& now) const {
  AttendanceDecision out;
  out.audit["days"] = nlohmann::json::array();

  // The last entry of each date decides; its stored state is read once per month.
  std::map<std::string, std::size_t> last_of_date;
  std::map<std::string, std::map<std::string, AttendanceDayRecord>> stored_by_month;
  std::vector<std::optional<DayValues>> values(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].type != kAttendance) continue;
    auto day = day_from_facts(events[i].facts);
    if (!day) continue;  // published as reported: the mapping already held it to the contract
    last_of_date[day->date] = i;
    const std::string month = month_of_date(day->date);
    if (!stored_by_month.contains(month)) {
      auto stored = store_.attendance_days(referral.referral_id, month);
      if (!stored) return std::unexpected(stored.error());
      auto& by_date = stored_by_month[month];
      for (AttendanceDayRecord& r : *stored) by_date.emplace(r.date, std::move(r));
    }
    values[i] = std::move(*day);
  }

  // Per month whose unexcused days this report changed, the latest date it changed there.
  std::map<std::string, std::string> months_with_unexcused;
  for (std::size_t i = 0; i < events.size(); ++i) {
    ReportedEvent& event = events[i];
    if (!values[i]) {
      out.events.push_back(std::move(event));
      continue;
    }
    const DayValues& day = *values[i];
    nlohmann::json noted = {{"date", day.date}};
    if (last_of_date[day.date] != i) {
      noted["taken_as"] = "superseded_in_report";
      out.audit["days"].push_back(std::move(noted));
      continue;
    }
    const std::string month = month_of_date(day.date);
    auto& by_date = stored_by_month[month];
    const auto found = by_date.find(day.date);
    std::optional<StoredDay> before;
    if (found != by_date.end()) {
      if (auto previous = day_from_facts(found->second.day)) before = stored_day(found->second, std::move(*previous));
    }
    const auto partner_version = partner_version_of(event.facts);
    const DayChange change = classify(before, day, partner_version);
    noted["taken_as"] = std::string(to_string(change));
    if (change == DayChange::unchanged || change == DayChange::stale) {
      out.audit["days"].push_back(std::move(noted));
      continue;
    }
    // From the stored row even when its day cannot be read: the store takes only the next version.
    const int version = found != by_date.end() ? found->second.version + 1 : 1;
    noted["version"] = version;
    AttendanceDayRecord record{referral.referral_id, day.date,           version, partner_version.value_or(-1),
                               to_json(day),         partner_message_id, now};
    out.writes.push_back(store_write::PutAttendanceDay{record});
    if (change == DayChange::corrected) {
      nlohmann::json facts = to_json(day);
      facts["referral_id"] = referral.referral_id;
      facts["version"] = version;
      facts["previous"] = to_json(before->values);
      if (partner_version) facts["partner_version"] = *partner_version;
      for (const char* kept : {"period_from", "period_to", "corrected"}) {
        if (event.facts.contains(kept)) facts[kept] = event.facts[kept];
      }
      event.type = kAttendanceCorrected;
      event.facts = std::move(facts);
    }
    if (day.absence_reason == "OGILTIG" || (before && before->values.absence_reason == "OGILTIG")) {
      std::string& latest = months_with_unexcused[month];
      latest = std::max(latest, day.date);
    }
    by_date.insert_or_assign(day.date, std::move(record));
    out.audit["days"].push_back(std::move(noted));
    out.events.push_back(std::move(event));
  }

  // Unexcused absence in a month, counted over every day of it as now decided.
  out.audit["absence_flagged"] = nlohmann::json::array();
  out.audit["absence_flag_withdrawn"] = nlohmann::json::array();
  for (const auto& [month, changed_on] : months_with_unexcused) {
    std::vector<DayValues> days;
    std::vector<std::string> dates;
    for (const auto& [date, record] : stored_by_month[month]) {
      if (auto d = day_from_facts(record.day)) {
        if (d->attendance == "FRANVARANDE" && d->absence_reason == "OGILTIG") dates.push_back(date);
        days.push_back(std::move(*d));
      }
    }
    const int unexcused = unexcused_days(days);
    auto progress = store_.attendance_month(referral.referral_id, month);
    if (!progress) return std::unexpected(progress.error());
    const std::string flagged_at = *progress ? (*progress)->absence_flagged_at : std::string();
    const FlagChange change = absence_flag_change(unexcused, rules_.absence_flag_threshold, !flagged_at.empty());
    if (change == FlagChange::none) continue;
    nlohmann::json facts = {{"referral_id", referral.referral_id},
                            {"month", month},
                            {"unexcused_days", unexcused},
                            {"threshold", rules_.absence_flag_threshold},
                            {"dates", dates}};
    if (change == FlagChange::raise) {
      // The flag's own time, which a withdrawal of it names.
      facts["flagged_at"] = now;
      out.events.push_back(ReportedEvent{kAbsenceFlagged, dates.back(), facts});
      out.writes.push_back(store_write::PutAbsenceFlag{referral.referral_id, month, now});
      out.audit["absence_flagged"].push_back({{"month", month}, {"unexcused_days", unexcused}});
      continue;
    }
    facts["flagged_at"] = flagged_at;
    out.events.push_back(ReportedEvent{kAbsenceFlagWithdrawn, changed_on, facts});
    out.writes.push_back(store_write::WithdrawAbsenceFlag{referral.referral_id, month, flagged_at});
    out.audit["absence_flag_withdrawn"].push_back(
        {{"month", month}, {"unexcused_days", unexcused}, {"flagged_at", flagged_at}});
  }
  return out;
}

}  // namespace knutpunkt::attendance
