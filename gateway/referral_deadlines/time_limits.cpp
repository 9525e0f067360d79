#include "referral_deadlines/time_limits.h"

#include <algorithm>

#include "core/clock.h"

namespace knutpunkt::referral_deadlines {
namespace {

bool arrived(const ReferralTimeline& timeline, std::initializer_list<std::string_view> types) {
  return std::any_of(timeline.reports.begin(), timeline.reports.end(), [&](const ArrivedReport& r) {
    return std::find(types.begin(), types.end(), r.report_type) != types.end();
  });
}

std::chrono::system_clock::time_point after_days(std::chrono::system_clock::time_point from, int days) {
  return from + std::chrono::days{days};
}

// The plan follow-up still open: the date from the latest report announcing one, unless an
// UPPFOLJNING came after that report (the follow-up was held; a next date comes with it).
std::optional<std::string> open_followup(const ReferralTimeline& timeline) {
  std::optional<std::string> date;
  for (const ArrivedReport& r : timeline.reports) {
    if (r.report_type == kFollowupHeld) date.reset();
    if (r.planned_followup) date = r.planned_followup;
  }
  return date;
}

}  // namespace

std::vector<DueLimit> due_limits(const ReferralTimeline& timeline, const routing::ReferralTimeLimits& limits,
                                 std::chrono::system_clock::time_point now) {
  std::vector<DueLimit> due;
  const bool ended_at_jobbtorg = arrived(timeline, {kNotEnrolledReport, kInterrupted, kFinished});
  if (limits.not_enrolled_days && !arrived(timeline, {kEnrolled, kNotEnrolledReport})) {
    const auto at = after_days(timeline.accepted_at, *limits.not_enrolled_days);
    if (now >= at) due.push_back({kNotEnrolled, "referral", at, *limits.not_enrolled_days, std::nullopt});
  }
  if (!ended_at_jobbtorg && !arrived(timeline, {kFirstVisit})) {
    const auto at = after_days(timeline.accepted_at, limits.first_visit_days);
    if (now >= at) due.push_back({kFirstVisitOverdue, "referral", at, limits.first_visit_days, std::nullopt});
  }
  if (limits.plan_followup && !ended_at_jobbtorg) {
    if (const auto date = open_followup(timeline)) {
      // A date Jobbtorg gave that cannot be read was refused by its mapping already; none is due.
      if (const auto day = parse_utc(*date)) {
        const auto at = *day + std::chrono::days{1};
        if (now >= at) due.push_back({kPlanFollowupOverdue, *date, at, 0, *date});
      }
    }
  }
  return due;
}

routing::ReferralTimeLimits limits_for(const routing::RouteTable& routes,
                                       const std::vector<routing::ReferralTimeLimits>& limits,
                                       const ReferralRecord& referral) {
  const nlohmann::json& r = referral.referral;
  const routing::RouteKey key{"referral.requested", referral.client_id, r.value("municipality", ""),
                              r.value("unit", ""), r.value("district", "")};
  const auto& rules = routes.rules();
  for (std::size_t i = 0; i < rules.size() && i < limits.size(); ++i) {
    const auto& to = rules[i].to;
    if (routing::rule_matches(rules[i], key) && std::find(to.begin(), to.end(), referral.destination) != to.end()) {
      return limits[i];
    }
  }
  return {};
}

}  // namespace knutpunkt::referral_deadlines
