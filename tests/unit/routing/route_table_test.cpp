#include "routing/route_table.h"

#include <catch2/catch.hpp>

using namespace knutpunkt::routing;

namespace {

RouteKey key(std::string type, std::string client = "client-a", std::string municipality = "0180",
             std::string unit = "ekb", std::string district = "Enskede") {
  return RouteKey{std::move(type), std::move(client), std::move(municipality), std::move(unit), std::move(district)};
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("a type pattern is exact, a prefix ending in .*, or * for every type") {
  CHECK(type_matches("referral.requested", "referral.requested"));
  CHECK_FALSE(type_matches("referral.requested", "referral.requested.v2"));
  CHECK_FALSE(type_matches("referral.requested", "referral.sent"));
  CHECK(type_matches("referral.*", "referral.sent"));
  CHECK(type_matches("referral.*", "referral.attendance.reported"));
  CHECK_FALSE(type_matches("referral.*", "referral"));
  CHECK_FALSE(type_matches("referral.*", "referrals.sent"));
  CHECK_FALSE(type_matches("referral.*", "partner.referral.sent"));
  CHECK(type_matches("*", "anything.at.all"));
  CHECK(type_matches("*", ""));
}

TEST_CASE("a rule that leaves every field empty matches any message") {
  const RouteTable table({RouteRule{"all", {}, {}, {}, {}, {}, {"audit-sink"}}});
  CHECK(table.destinations(key("referral.requested")) == Names{"audit-sink"});
  CHECK(table.destinations(key("x", "", "", "", "")) == Names{"audit-sink"});
}

TEST_CASE("a rule matches only when every field it names matches") {
  RouteRule rule{"söderort", {"referral.requested"}, {"client-a"}, {"0180"}, {"ekb"}, {"Enskede", "Farsta"}, {"jobbtorg-sodra"}};
  const RouteTable table({rule});
  CHECK(table.destinations(key("referral.requested")) == Names{"jobbtorg-sodra"});
  CHECK(table.destinations(key("referral.requested", "client-a", "0180", "ekb", "Farsta")) == Names{"jobbtorg-sodra"});
  CHECK(table.destinations(key("referral.sent")).empty());
  CHECK(table.destinations(key("referral.requested", "client-b")).empty());
  CHECK(table.destinations(key("referral.requested", "client-a", "1480")).empty());
  CHECK(table.destinations(key("referral.requested", "client-a", "0180", "other-unit")).empty());
  CHECK(table.destinations(key("referral.requested", "client-a", "0180", "ekb", "Kista")).empty());
  CHECK(table.destinations(key("referral.requested", "client-a", "0180", "ekb", "")).empty());
}

TEST_CASE("several districts share one destination, and other districts go elsewhere") {
  const RouteTable table({
      RouteRule{"söder", {"referral.*"}, {}, {}, {}, {"Enskede", "Farsta", "Skarpnäck"}, {"jobbtorg-sodra"}},
      RouteRule{"väster", {"referral.*"}, {}, {}, {}, {"Hässelby", "Spånga"}, {"jobbtorg-vast"}},
  });
  for (const char* d : {"Enskede", "Farsta", "Skarpnäck"}) {
    CHECK(table.destinations(key("referral.requested", "c", "0180", "u", d)) == Names{"jobbtorg-sodra"});
  }
  for (const char* d : {"Hässelby", "Spånga"}) {
    CHECK(table.destinations(key("referral.requested", "c", "0180", "u", d)) == Names{"jobbtorg-vast"});
  }
  CHECK(table.destinations(key("referral.requested", "c", "0180", "u", "Kista")).empty());
}

TEST_CASE("a rule with several type patterns matches when any of them does") {
  const RouteTable table({RouteRule{"r", {"referral.sent", "partner.*"}, {}, {}, {}, {}, {"hook"}}});
  CHECK(table.destinations(key("referral.sent")) == Names{"hook"});
  CHECK(table.destinations(key("partner.lookup.completed")) == Names{"hook"});
  CHECK(table.destinations(key("referral.requested")).empty());
}

TEST_CASE("destinations of all matching rules come once each, in rule order") {
  const RouteTable table({
      RouteRule{"1", {"referral.*"}, {}, {}, {}, {}, {"b", "a"}},
      RouteRule{"2", {"referral.sent"}, {}, {}, {}, {}, {"a", "c", "b"}},
      RouteRule{"3", {"other"}, {}, {}, {}, {}, {"d"}},
      RouteRule{"4", {}, {"client-a"}, {}, {}, {}, {"c", "e"}},
  });
  CHECK(table.destinations(key("referral.sent")) == Names{"b", "a", "c", "e"});
  CHECK(table.destinations(key("referral.sent", "client-b")) == Names{"b", "a", "c"});
  CHECK(table.destinations(key("other", "client-b")) == Names{"d"});
  CHECK(RouteTable{}.destinations(key("referral.sent")).empty());
}
