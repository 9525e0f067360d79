#pragma once
// The attendance tests build their days from facts as a report carries them, so each test file
// reads a day the same way the gateway does.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "attendance/attendance_day.h"

namespace attendance_test {

inline knutpunkt::attendance::DayValues reported_day(const nlohmann::json& facts) {
  auto d = knutpunkt::attendance::day_from_facts(facts);
  REQUIRE(d.has_value());
  return *d;
}

}  // namespace attendance_test
