#pragma once
// The time limits a referral's route sets (/routes/*/time_limits) and the pure rules that say
// which of them have run out. No I/O and no clock of its own: the caller passes what has arrived
// from Jobbtorg and the time to judge at, so every boundary can be tested exactly.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "routing/route_table.h"
#include "store/delivery_records.h"

namespace knutpunkt::referral_deadlines {

// The case events a run-out limit raises, each at most once per referral (plan follow-up: once
// per follow-up date).
inline constexpr const char* kNotEnrolled = "referral.not_enrolled";
inline constexpr const char* kFirstVisitOverdue = "referral.first_visit_overdue";
inline constexpr const char* kPlanFollowupOverdue = "referral.plan_followup_overdue";

// Jobbtorg's report types (schemas/jobbtorg/report.schema.json) the rules look at.
inline constexpr std::string_view kEnrolled = "INSKRIVNING";
inline constexpr std::string_view kNotEnrolledReport = "EJ_INSKRIVEN";
inline constexpr std::string_view kFirstVisit = "FORSTA_BESOK";
inline constexpr std::string_view kFollowupHeld = "UPPFOLJNING";
inline constexpr std::string_view kInterrupted = "AVBROTT";
inline constexpr std::string_view kFinished = "AVSLUT";

// One report Jobbtorg sent about the referral, in the order knutpunkt received them.
struct ArrivedReport {
  std::string report_type;                      // e.g. "INSKRIVNING"
  std::optional<std::string> planned_followup;  // date (YYYY-MM-DD) of a plan follow-up it announces
};

// What the rules judge: when knutpunkt accepted the referral and what has arrived since.
struct ReferralTimeline {
  std::chrono::system_clock::time_point accepted_at;
  std::vector<ArrivedReport> reports;  // oldest first
};

// A limit that has run out at the time asked about.
struct DueLimit {
  std::string event_type;  // kNotEnrolled, kFirstVisitOverdue, kPlanFollowupOverdue
  // Which occurrence: "referral" for the once-per-referral limits, the follow-up date for plan
  // follow-ups (a new date Jobbtorg gives is a new limit).
  std::string key;
  std::chrono::system_clock::time_point due_at;  // the boundary: due from this instant on
  int limit_days = 0;                            // the configured days (0 for plan follow-up)
  std::optional<std::string> followup_date;      // the plan follow-up date that passed
};

// The limits that have run out at `now`, in the order of the constants above. A limit is due
// from its boundary on (now >= due_at), never before:
// - not enrolled: no INSKRIVNING and no EJ_INSKRIVEN `not_enrolled_days` days after acceptance
//   (only when the route sets not_enrolled_days);
// - first visit: no FORSTA_BESOK `first_visit_days` days after acceptance;
// - plan follow-up: the follow-up date from the latest report announcing one is over (from the
//   midnight UTC that ends it) and no UPPFOLJNING arrived after that report.
// Jobbtorg's EJ_INSKRIVEN, AVBROTT or AVSLUT ends the referral there: no first visit or follow-up
// is expected after it.
std::vector<DueLimit> due_limits(const ReferralTimeline& timeline, const routing::ReferralTimeLimits& limits,
                                 std::chrono::system_clock::time_point now);

// The limits of the route that sent `referral`: those of the first rule for referral.requested
// that matches it and names its destination (`limits`: one per rule of `routes`, in order); the
// defaults when none does.
routing::ReferralTimeLimits limits_for(const routing::RouteTable& routes,
                                       const std::vector<routing::ReferralTimeLimits>& limits,
                                       const ReferralRecord& referral);

}  // namespace knutpunkt::referral_deadlines
