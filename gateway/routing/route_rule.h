#pragma once
// One routing rule as configured (/routes): plain values, so the configuration can hold rules
// without the table that matches messages against them.
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace knutpunkt::routing {

// How long Jobbtorg may take with a referral a rule routes (/routes/*/time_limits; the config
// keeps one per rule, in the rules' order). Days are counted from knutpunkt's acceptance of the
// referral.
struct ReferralTimeLimits {
  std::optional<int> not_enrolled_days;  // absent: not watched
  // Stockholm's rule for Jobbtorg: a first appointment within 14 days of the referral.
  int first_visit_days = 14;
  bool plan_followup = true;  // watch the plan follow-up dates Jobbtorg gives
  bool operator==(const ReferralTimeLimits&) const = default;
};

// A field left empty in a rule matches anything; a type pattern "referral.*" matches the prefix.
struct RouteRule {
  std::string name;
  std::vector<std::string> types;
  std::set<std::string> clients;
  std::set<std::string> municipalities;
  std::set<std::string> units;
  std::set<std::string> districts;
  std::vector<std::string> to;
};

}  // namespace knutpunkt::routing
