#include "attendance/attendance_day.h"

#include <catch2/catch.hpp>

#include "attendance_test_support.h"

using namespace knutpunkt::attendance;
using attendance_test::reported_day;
using nlohmann::json;

TEST_CASE("hours are read and written as exact decimals", "[attendance]") {
  CHECK(parse_hours("4") == 4 * kHourUnits);
  CHECK(parse_hours("2.5") == 25000);
  CHECK(parse_hours("0,75") == 7500);
  CHECK(parse_hours("1.50000") == 15000);
  CHECK_FALSE(parse_hours("1.23456").has_value());
  CHECK_FALSE(parse_hours("-1").has_value());
  CHECK_FALSE(parse_hours("x").has_value());
  CHECK_FALSE(parse_hours("").has_value());
  CHECK(format_hours(25000) == "2.5");
  CHECK(format_hours(40000) == "4");
  CHECK(format_hours(3333) == "0.3333");
}

TEST_CASE("a day sent again with the same content spelled differently is unchanged", "[attendance]") {
  const StoredDay stored{reported_day({{"date", "2026-11-02"}, {"attendance", "NARVARANDE"}, {"hours", "4"}}), 1, {}};
  const DayValues again = reported_day({{"date", "2026-11-02"}, {"attendance", "NARVARANDE"}, {"hours", "4.0"}});
  CHECK(classify(stored, again, std::nullopt) == DayChange::unchanged);
}

TEST_CASE("a day first reported is a first report, a different one later a correction", "[attendance]") {
  const DayValues first = reported_day({{"date", "2026-11-02"}, {"attendance", "NARVARANDE"}, {"hours", "4"}});
  CHECK(classify(std::nullopt, first, std::nullopt) == DayChange::first_report);
  const DayValues changed = reported_day(
      {{"date", "2026-11-02"}, {"attendance", "FRANVARANDE"}, {"absence_reason", "SJUK"}, {"absence_reported", true}});
  CHECK(classify(StoredDay{first, 1, {}}, changed, std::nullopt) == DayChange::corrected);
  // Without numbering on either side the latest report wins.
  CHECK(classify(StoredDay{first, 2, 3}, changed, std::nullopt) == DayChange::corrected);
  CHECK(classify(StoredDay{first, 2, std::nullopt}, changed, 1) == DayChange::corrected);
}

TEST_CASE("an older version of a day arriving after a newer one does not undo it", "[attendance]") {
  const DayValues newer =
      reported_day({{"date", "2026-11-02"}, {"attendance", "FRANVARANDE"}, {"absence_reason", "VAB"}});
  const DayValues older = reported_day({{"date", "2026-11-02"}, {"attendance", "NARVARANDE"}, {"hours", "4"}});
  CHECK(classify(StoredDay{newer, 2, 2}, older, 1) == DayChange::stale);
  CHECK(classify(StoredDay{newer, 2, 2}, older, 2) == DayChange::stale);
  CHECK(classify(StoredDay{newer, 2, 2}, older, 3) == DayChange::corrected);
}

TEST_CASE("a day's facts that cannot be read name the fact", "[attendance]") {
  CHECK(day_from_facts(json{{"attendance", "NARVARANDE"}}).error() == "date");
  CHECK(day_from_facts(json{{"date", "2026-11-02"}, {"attendance", "X"}}).error() == "attendance");
  CHECK(day_from_facts(json{{"date", "2026-11-02"}, {"attendance", "NARVARANDE"}, {"hours", "four"}}).error() ==
        "hours");
  CHECK(day_from_facts(json{{"date", "2026-11-02"}, {"attendance", "NARVARANDE"}, {"planned_hours", true}}).error() ==
        "planned_hours");
}

TEST_CASE("the normalised day round-trips through its JSON", "[attendance]") {
  const DayValues d = reported_day({{"date", "2026-11-02"},
                                    {"attendance", "FRANVARANDE"},
                                    {"hours", "0"},
                                    {"planned_hours", "6.50"},
                                    {"absence_reason", "OGILTIG"},
                                    {"absence_reported", false}});
  const json j = to_json(d);
  CHECK(j["planned_hours"] == "6.5");
  CHECK(same_content(reported_day(j), d));
}
