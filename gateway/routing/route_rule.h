#pragma once
// One routing rule as configured (/routes): plain values, so the configuration can hold rules
// without the table that matches messages against them.
#include <set>
#include <string>
#include <vector>

namespace knutpunkt::routing {

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
