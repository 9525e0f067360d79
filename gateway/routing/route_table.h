#pragma once
// Declarative routing (/routes in the config): which destinations a message goes to, by its type,
// the client (case system) it belongs to, and the municipality, unit and district it concerns.
// Several districts (stadsdelar) share one Jobbtorg, so a rule lists districts, not one.
#include <set>
#include <string>
#include <vector>

#include "routing/route_rule.h"

namespace knutpunkt::routing {

struct RouteKey {
  std::string type;  // e.g. "referral.requested", "referral.attendance"
  std::string client_id;
  std::string municipality;  // kommunkod, e.g. "0180"
  std::string unit;
  std::string district;
};

bool type_matches(const std::string& pattern, const std::string& type);
// Does `rule`'s match fit the key (its destinations aside)?
bool rule_matches(const RouteRule& rule, const RouteKey& key);

class RouteTable {
 public:
  RouteTable() = default;
  explicit RouteTable(std::vector<RouteRule> rules) : rules_(std::move(rules)) {}

  // Every destination of every matching rule, once each, in rule order.
  std::vector<std::string> destinations(const RouteKey& key) const;
  const std::vector<RouteRule>& rules() const { return rules_; }

 private:
  std::vector<RouteRule> rules_;
};

}  // namespace knutpunkt::routing
