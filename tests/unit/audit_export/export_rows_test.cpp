#include "audit_export/export_rows.h"

#include <catch2/catch.hpp>

namespace ae = knutpunkt::audit_export;
using knutpunkt::AuditRecord;

TEST_CASE("a JSONL line lists seq, recorded_at, kind, body, prev_hash, hash with the body as canonical JSON") {
  AuditRecord r{
      7, "2026-01-02T03:04:05.678Z", "lookup", {{"z", 1}, {"a", "å"}}, std::string(64, '0'), std::string(64, 'a')};
  auto line = ae::jsonl_line(r);
  REQUIRE(line.has_value());
  CHECK(*line ==
        R"({"seq":7,"recorded_at":"2026-01-02T03:04:05.678Z","kind":"lookup","body":{"a":"å","z":1},"prev_hash":")" +
            std::string(64, '0') + R"(","hash":")" + std::string(64, 'a') + R"("})");
}

TEST_CASE("a body with a float has no JSONL line") {
  AuditRecord r{1, "2026-01-02T03:04:05.678Z", "lookup", {{"amount", 1.5}}, "", ""};
  auto line = ae::jsonl_line(r);
  REQUIRE_FALSE(line.has_value());
  CHECK(line.error().code == "float_not_allowed");
}

TEST_CASE("convenience columns come from the body's string fields, with the gateway's alternative spellings") {
  auto lookup = ae::convenience_columns({{"client", "malmo"},
                                         {"case_id", "C-1"},
                                         {"person", {{"id", "191212121212"}}},
                                         {"purpose", "ekonomiskt_bistand"},
                                         {"outcome", "complete"}});
  CHECK(lookup.client == "malmo");
  CHECK(lookup.case_id == "C-1");
  CHECK(lookup.person_id == "191212121212");
  CHECK(lookup.purpose == "ekonomiskt_bistand");
  CHECK(lookup.outcome == "complete");

  auto delivery = ae::convenience_columns({{"client_id", "lund"}, {"person_id", "198112289874"}});
  CHECK(delivery.client == "lund");
  CHECK(delivery.person_id == "198112289874");

  auto odd = ae::convenience_columns({{"client", nullptr}, {"case_id", 42}, {"outcome", {{"x", 1}}}});
  CHECK(odd.client.empty());
  CHECK(odd.case_id.empty());
  CHECK(odd.outcome.empty());
  CHECK(ae::convenience_columns(nlohmann::json::array()).client.empty());
}

TEST_CASE("a convenience value a spreadsheet would run as a formula is prefixed with an apostrophe") {
  for (const std::string start : {"=", "+", "-", "@", "\t", "\r"}) {
    CHECK(ae::convenience_columns({{"case_id", start + "HYPERLINK(\"x\")"}}).case_id ==
          "'" + start + "HYPERLINK(\"x\")");
  }
  CHECK(ae::convenience_columns({{"case_id", "C=1"}}).case_id == "C=1");
}

TEST_CASE("a CSV row quotes every cell, doubles quotes, keeps newlines and commas, and ends in CRLF") {
  CHECK(ae::csv_row(std::vector<std::string>{"a", "b,c", "say \"hej\"", "rad1\nrad2", ""}) ==
        "\"a\",\"b,c\",\"say \"\"hej\"\"\",\"rad1\nrad2\",\"\"\r\n");
}

TEST_CASE("splitting a CSV row returns the cells written, and refuses broken quoting") {
  const std::vector<std::string> cells = {"Åsa, \"Öberg\"", "x\ny", "", "plain"};
  std::string row = ae::csv_row(cells);
  row.resize(row.size() - 2);
  auto split = ae::split_csv_row(row);
  REQUIRE(split.has_value());
  CHECK(*split == cells);
  CHECK(ae::split_csv_row(R"(a,b)") == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(ae::split_csv_row(R"("open)").has_value());
  CHECK_FALSE(ae::split_csv_row(R"("a"b)").has_value());
  CHECK_FALSE(ae::split_csv_row(R"(a"b)").has_value());
}
