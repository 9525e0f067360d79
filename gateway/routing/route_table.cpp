#include "routing/route_table.h"

#include <algorithm>

namespace knutpunkt::routing {
namespace {

bool in(const std::set<std::string>& allowed, const std::string& value) {
  return allowed.empty() || allowed.contains(value);
}

}  // namespace

bool type_matches(const std::string& pattern, const std::string& type) {
  if (pattern == "*") return true;
  if (pattern.ends_with(".*")) return type.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == type;
}

bool rule_matches(const RouteRule& rule, const RouteKey& key) {
  const bool type_ok = rule.types.empty() || std::any_of(rule.types.begin(), rule.types.end(),
                                                         [&](const auto& p) { return type_matches(p, key.type); });
  return type_ok && in(rule.clients, key.client_id) && in(rule.municipalities, key.municipality) &&
         in(rule.units, key.unit) && in(rule.districts, key.district);
}

std::vector<std::string> RouteTable::destinations(const RouteKey& key) const {
  std::vector<std::string> out;
  for (const RouteRule& rule : rules_) {
    if (!rule_matches(rule, key)) continue;
    for (const std::string& d : rule.to) {
      if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    }
  }
  return out;
}

}  // namespace knutpunkt::routing
