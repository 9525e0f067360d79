#include "mapping/values.h"

#include <catch2/catch.hpp>

namespace v = knutpunkt::mapping::values;

TEST_CASE("SEK amounts become exact integer öre") {
  CHECK(v::amount_ore("1234.50").value() == 123450);
  CHECK(v::amount_ore("1234,5").value() == 123450);
  CHECK(v::amount_ore("-200").value() == -20000);
  CHECK(v::amount_ore("+7").value() == 700);
  CHECK(v::amount_ore("0.05").value() == 5);
  CHECK(v::amount_ore("0.1").value() == 10);
  CHECK(v::amount_ore("-0,01").value() == -1);
  CHECK(v::amount_ore("12.500").value() == 1250);
  CHECK(v::amount_ore("2587.65").value() == 258765);  // 2587.65 * 100 in binary floating point is 258764.99…
  CHECK(v::amount_ore("999999999999999.99").value() == 99999999999999999);
}

TEST_CASE("ambiguous or malformed SEK amounts are rejected") {
  for (const char* bad : {"", "-", "1 234", "1,234", "12.345", ".5", "5.", "1e3", "1.2.3", "12a", "0x10", "١٢",
                          "1234567890123456", "--1", " 1"}) {
    INFO(bad);
    CHECK_FALSE(v::amount_ore(bad).has_value());
  }
}

TEST_CASE("integers are strict and range-checked") {
  CHECK(v::integer("42").value() == 42);
  CHECK(v::integer("-9223372036854775808").value() == INT64_MIN);
  CHECK(v::integer("9223372036854775807").value() == INT64_MAX);
  CHECK_FALSE(v::integer("9223372036854775808").has_value());
  CHECK_FALSE(v::integer("1.0").has_value());
  CHECK_FALSE(v::integer("").has_value());
}

TEST_CASE("booleans follow xsd:boolean") {
  CHECK(v::boolean("true").value());
  CHECK(v::boolean("1").value());
  CHECK_FALSE(v::boolean("false").value());
  CHECK_FALSE(v::boolean("0").value());
  CHECK_FALSE(v::boolean("TRUE").has_value());
  CHECK_FALSE(v::boolean("J").has_value());
}

TEST_CASE("dates are strict ISO 8601 calendar dates; an xsd timezone is dropped") {
  CHECK(v::date("2026-08-24").value() == "2026-08-24");
  CHECK(v::date("2024-02-29").value() == "2024-02-29");
  CHECK(v::date("2026-08-24Z").value() == "2026-08-24");
  CHECK(v::date("2026-08-24+02:00").value() == "2026-08-24");
  for (const char* bad : {"2026-02-29", "1900-02-29", "2026-13-01", "2026-04-31", "2026-00-10", "2026-8-24", "20260824",
                          "2026-08-24T00:00:00", "2026-08-24+2", "24/08/2026", ""}) {
    INFO(bad);
    CHECK_FALSE(v::date(bad).has_value());
  }
  CHECK(v::date("2000-02-29").has_value());
}

TEST_CASE("compact YYYYMMDD dates become ISO 8601") {
  CHECK(v::date_compact("20260825").value() == "2026-08-25");
  CHECK_FALSE(v::date_compact("20260231").has_value());
  CHECK_FALSE(v::date_compact("2026-08-25").has_value());
  CHECK_FALSE(v::date_compact("2026082").has_value());
}

TEST_CASE("date-times are checked and kept as written") {
  CHECK(v::datetime("2026-08-24T13:45:00Z").value() == "2026-08-24T13:45:00Z");
  CHECK(v::datetime("2026-08-24T13:45:00.123+02:00").has_value());
  CHECK(v::datetime("2026-08-24T13:45:00").has_value());
  CHECK_FALSE(v::datetime("2026-08-24 13:45:00").has_value());
  CHECK_FALSE(v::datetime("2026-08-24T25:00:00Z").has_value());
  CHECK_FALSE(v::datetime("2026-08-24T13:45Z").has_value());
  CHECK_FALSE(v::datetime("2026-08-24T13:45:00.Z").has_value());
}

TEST_CASE("decimals keep their digits and use a point") {
  CHECK(v::decimal("22").value() == "22");
  CHECK(v::decimal("0,75").value() == "0.75");
  CHECK(v::decimal("-1.5").value() == "-1.5");
  CHECK_FALSE(v::decimal("1e2").has_value());
  CHECK_FALSE(v::decimal(",5").has_value());
}
