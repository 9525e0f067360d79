#include "attendance/attendance_month.h"

#include <catch2/catch.hpp>

#include "attendance_test_support.h"

using namespace knutpunkt::attendance;
using namespace std::chrono;
using attendance_test::reported_day;
using nlohmann::json;

namespace {

// A clock the test moves: midnight UTC of a date, plus an offset.
system_clock::time_point at(year_month_day d, system_clock::duration offset = {}) {
  return sys_days{d} + offset;
}

}  // namespace

TEST_CASE("a month reads as YYYY-MM and nothing else", "[attendance]") {
  CHECK(parse_month("2026-11") == year{2026} / November);
  CHECK_FALSE(parse_month("2026-13").has_value());
  CHECK_FALSE(parse_month("2026-1").has_value());
  CHECK_FALSE(parse_month("2026-11-01").has_value());
  CHECK_FALSE(parse_month("abcd-ef").has_value());
  CHECK(format_month(year{2026} / December) == "2026-12");
  CHECK(month_of_date("2026-02-28") == "2026-02");
  CHECK(month_of_date("2026-02-30").empty());
}

TEST_CASE("a month is complete only once its grace after the month's end has passed", "[attendance]") {
  const year_month november = year{2026} / November;
  const MonthProgress reported{3, 0, 0};
  // Grace 5: complete from 2026-12-06T00:00Z.
  const auto boundary = at(year{2026} / December / 6);
  CHECK_FALSE(month_complete(november, boundary - days{1}, 5));
  CHECK_FALSE(summary_due(november, reported, boundary - days{1}, 5).has_value());
  CHECK_FALSE(summary_due(november, reported, boundary - milliseconds{1}, 5).has_value());
  CHECK(month_complete(november, boundary, 5));
  CHECK(summary_due(november, reported, boundary, 5) == 1);
  // Once raised it is not due again while nothing changes.
  const MonthProgress summarised{3, 3, 1};
  CHECK_FALSE(summary_due(november, summarised, boundary, 5).has_value());
  CHECK_FALSE(summary_due(november, summarised, boundary + days{40}, 5).has_value());
  CHECK(latest_complete_month(boundary - milliseconds{1}, 5) == year{2026} / October);
  CHECK(latest_complete_month(boundary, 5) == november);
  // No grace: the first moment of the next month.
  CHECK(month_complete(november, at(year{2026} / December / 1), 0));
  CHECK_FALSE(month_complete(november, at(year{2026} / December / 1) - seconds{1}, 0));
  // Across a year.
  CHECK(latest_complete_month(at(year{2027} / January / 1), 0) == year{2026} / December);
}

TEST_CASE("a correction to a month already summarised makes the next revision due", "[attendance]") {
  const year_month november = year{2026} / November;
  const auto later = at(year{2027} / January / 10);
  CHECK(summary_due(november, MonthProgress{4, 3, 1}, later, 5) == 2);
  CHECK_FALSE(summary_due(november, MonthProgress{4, 4, 2}, later, 5).has_value());
}

TEST_CASE("the month's summary derives planned hours from the extent over weekdays from the start date",
          "[attendance]") {
  // November 2026: the 1st is a Sunday; 21 weekdays, of which 16 from Monday the 9th.
  const ReferralTerms terms = terms_of(json{{"start_date", "2026-11-09"}, {"extent_hours_per_week", 20}});
  const std::vector<DayValues> days{
      reported_day({{"date", "2026-11-09"}, {"attendance", "NARVARANDE"}, {"hours", "4"}}),
      reported_day({{"date", "2026-11-10"}, {"attendance", "NARVARANDE"}, {"hours", "2.5"}}),
      reported_day({{"date", "2026-11-11"}, {"attendance", "FRANVARANDE"}, {"hours", "0"}, {"absence_reason", "SJUK"}}),
      reported_day({{"date", "2026-11-12"}, {"attendance", "FRANVARANDE"}, {"absence_reason", "OGILTIG"}}),
      reported_day({{"date", "2026-11-13"}, {"attendance", "FRANVARANDE"}, {"hours", "1"}, {"absence_reason", "VAB"}}),
      reported_day({{"date", "2026-12-01"}, {"attendance", "NARVARANDE"}, {"hours", "4"}}),  // another month
  };
  const json s = summarise(year{2026} / November, days, terms);
  CHECK(s["month"] == "2026-11");
  CHECK(s["planned_hours"] == "64");
  CHECK(s["planned_hours_source"] == "derived_from_extent");
  CHECK(s["extent_hours_per_week"] == 20);
  CHECK(s["reported_days"] == 5);
  CHECK(s["attended_days"] == 2);
  CHECK(s["attended_hours"] == "7.5");  // the hour present on the VAB day counts
  CHECK(s["absence"]["SJUK"] == json{{"days", 1}, {"hours", "4"}});
  CHECK(s["absence"]["OGILTIG"] == json{{"days", 1}, {"hours", "4"}});
  CHECK(s["absence"]["VAB"] == json{{"days", 1}, {"hours", "3"}});
  CHECK(s["absence"]["GILTIG_ANNAN"] == json{{"days", 0}, {"hours", "0"}});
  CHECK_FALSE(s.contains("absence_without_reason"));
}

TEST_CASE("planned hours Jobbtorg reports are used and the summary says so", "[attendance]") {
  const ReferralTerms terms = terms_of(json{{"start_date", "2026-11-30"}, {"extent_hours_per_week", 10}});
  // The 30th (a Monday) is the only weekday in the period; Jobbtorg planned it.
  const std::vector<DayValues> reported{
      reported_day({{"date", "2026-11-30"}, {"attendance", "NARVARANDE"}, {"hours", "3"}, {"planned_hours", "3.5"}})};
  const json s = summarise(year{2026} / November, reported, terms);
  CHECK(s["planned_hours"] == "3.5");
  CHECK(s["planned_hours_source"] == "reported");
  CHECK_FALSE(s.contains("extent_hours_per_week"));

  const ReferralTerms longer = terms_of(json{{"start_date", "2026-11-27"}, {"extent_hours_per_week", 10}});
  const json mixed = summarise(year{2026} / November, reported, longer);
  CHECK(mixed["planned_hours"] == "5.5");  // Friday the 27th derived (2), the 30th reported (3.5)
  CHECK(mixed["planned_hours_source"] == "mixed");
}

TEST_CASE("unexcused absence counts only days absent without a valid reason", "[attendance]") {
  const std::vector<DayValues> days{
      reported_day({{"date", "2026-11-09"}, {"attendance", "FRANVARANDE"}, {"absence_reason", "OGILTIG"}}),
      reported_day({{"date", "2026-11-10"}, {"attendance", "FRANVARANDE"}, {"absence_reason", "GILTIG_ANNAN"}}),
      reported_day({{"date", "2026-11-11"}, {"attendance", "FRANVARANDE"}, {"absence_reason", "OGILTIG"}}),
      reported_day({{"date", "2026-11-12"}, {"attendance", "NARVARANDE"}, {"hours", "4"}}),
  };
  CHECK(unexcused_days(days) == 2);
}

TEST_CASE("a month's flag is raised at the threshold, withdrawn below it, and otherwise left", "[attendance]") {
  CHECK(absence_flag_change(3, 3, false) == FlagChange::raise);
  CHECK(absence_flag_change(4, 3, false) == FlagChange::raise);
  CHECK(absence_flag_change(2, 3, false) == FlagChange::none);
  CHECK(absence_flag_change(3, 3, true) == FlagChange::none);
  CHECK(absence_flag_change(2, 3, true) == FlagChange::withdraw);
  CHECK(absence_flag_change(0, 3, true) == FlagChange::withdraw);
}

TEST_CASE("months are summarised from the later of the start month and the month of acceptance", "[attendance]") {
  const auto started = [](const char* date) { return terms_of(json{{"start_date", date}}); };
  CHECK(first_summarised_month(started("2026-11-09"), "2026-10-20T09:00:00.000Z") == year{2026} / November);
  // A start before the acceptance: Jobbtorg had nothing to report on before it got the referral.
  CHECK(first_summarised_month(started("2026-09-01"), "2026-10-20T09:00:00.000Z") == year{2026} / October);
  CHECK(first_summarised_month(terms_of(json::object()), "2026-10-20T09:00:00.000Z") == year{2026} / October);
  CHECK_FALSE(first_summarised_month(started("2026-11-09"), "").has_value());
  CHECK_FALSE(first_summarised_month(started("2026-11-09"), "2026-13-01T00:00:00Z").has_value());
}

TEST_CASE("every complete month with nothing reported and no summary is due, oldest first, up to the end",
          "[attendance]") {
  const year_month october = year{2026} / October;
  // Grace 5: December is complete from 2027-01-06T00:00Z.
  const auto december_complete = at(year{2027} / January / 6);
  CHECK(unreported_months_due(october, std::nullopt, {}, december_complete - milliseconds{1}, 5) ==
        std::vector<year_month>{october, year{2026} / November});
  CHECK(unreported_months_due(october, std::nullopt, {}, december_complete, 5) ==
        std::vector<year_month>{october, year{2026} / November, year{2026} / December});
  // A month with a day reported or a summary raised is not one of them.
  CHECK(unreported_months_due(october, std::nullopt, {year{2026} / November}, december_complete, 5) ==
        std::vector<year_month>{october, year{2026} / December});
  // Jobbtorg ended the referral in November: nothing after it.
  CHECK(unreported_months_due(october, year{2026} / November, {}, december_complete, 5) ==
        std::vector<year_month>{october, year{2026} / November});
  // The first month not yet complete: none.
  CHECK(unreported_months_due(year{2027} / January, std::nullopt, {}, december_complete, 5).empty());
  // Across a year.
  CHECK(unreported_months_due(year{2026} / December, std::nullopt, {}, at(year{2027} / February / 1), 0) ==
        std::vector<year_month>{year{2026} / December, year{2027} / January});
}
