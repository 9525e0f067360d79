#pragma once
// Loggkontroller: the reports auditors run over a period of the exchange log. Each report reads the audit index, never the partners, and returns rows ready to
// show or export. Titles and column names are Swedish: they are what the console shows.
#include <chrono>
#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/store.h"

namespace knutpunkt::audit_review {

struct ReportInfo {
  std::string name;
  std::string title;        // Swedish
  std::string description;  // Swedish
};

struct Column {
  std::string key;
  std::string title;  // Swedish
};

struct Report {
  ReportInfo info;
  std::string since;
  std::string until;
  std::vector<Column> columns;
  std::vector<nlohmann::json> rows;  // objects keyed by Column::key
};

const std::vector<ReportInfo>& reports();

struct ReportError {
  std::string code;  // "unknown_report", "store_unavailable"
  std::string message;
};

// What some reports are tuned by.
struct ReportSettings {
  // self_authorisation: a case registered (or its household changed), a consent recorded and a
  // lookup about the same person by the same client within this span.
  std::chrono::minutes self_authorisation_window{10};
};

// [since, until) over recorded_at, RFC 3339 UTC.
std::expected<Report, ReportError> run_report(Store& store, const std::string& name, const std::string& since,
                                              const std::string& until, const ReportSettings& settings = {});

// Whether `utc` (RFC 3339) falls outside office hours in Sweden: before 07:00 or from 19:00 local
// time, or on a Saturday or Sunday (public holidays are not known here).
bool outside_office_hours(const std::string& utc);

}  // namespace knutpunkt::audit_review
