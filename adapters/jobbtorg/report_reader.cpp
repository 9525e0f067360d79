#include "report_reader.h"

#include <regex>

namespace knutpunkt::jobbtorg {
namespace {

// Jobbtorg's ids are UUIDs (schemas/jobbtorg/report.schema.json); anything else is refused
// before it reaches the store.
bool is_message_id(const std::string& s) {
  static const std::regex id("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  return std::regex_match(s, id);
}

constexpr std::size_t kMaxDepth = 16;

}  // namespace

ReportReader::ReportReader(JobbtorgConfig config, std::map<std::string, mapping::VersionedMapping> mappings)
    : config_(std::move(config)), mappings_(std::move(mappings)) {}

std::expected<InboundReport, InboundError> ReportReader::parse_report(std::string_view body) const {
  if (body.size() > config_.max_report_bytes) {
    return std::unexpected(InboundError{"too_large", "", "the report is larger than this partner's limit"});
  }
  if (mapping::json_nesting_depth(body) > kMaxDepth) {
    return std::unexpected(InboundError{"field_invalid", "", "the report is nested too deeply"});
  }
  const nlohmann::json report = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (report.is_discarded()) return std::unexpected(InboundError{"invalid_json", "", "the body is not valid JSON"});
  if (!report.is_object())
    return std::unexpected(InboundError{"field_invalid", "", "the report must be a JSON object"});

  InboundReport out;
  const auto envelope = [&](const char* key, std::string& into) -> std::optional<InboundError> {
    auto it = report.find(key);
    const std::string field = std::string("/") + key;
    if (it == report.end() || it->is_null()) return InboundError{"field_missing", field, "is required"};
    if (!it->is_string() || !is_message_id(it->get<std::string>())) {
      return InboundError{"field_invalid", field, "must be a UUID"};
    }
    into = it->get<std::string>();
    return std::nullopt;
  };
  if (auto e = envelope("meddelandeId", out.partner_message_id)) return std::unexpected(*e);
  if (auto e = envelope("anvisningsId", out.referral_id)) return std::unexpected(*e);
  auto typ = report.find("typ");
  if (typ == report.end() || !typ->is_string()) {
    return std::unexpected(InboundError{"field_missing", "/typ", "is required (a report type code)"});
  }
  out.report_type = typ->get<std::string>();
  const auto mapping = mappings_.find(out.report_type);
  if (mapping == mappings_.end()) {
    return std::unexpected(InboundError{"unknown_report_type", "/typ", "is not a report type this partner sends"});
  }
  if (auto t = report.find("tidpunkt"); t != report.end() && t->is_string()) out.reported_at = t->get<std::string>();

  auto mapped = mapping->second.apply(report);
  if (!mapped) {
    const auto& e = mapped.error();
    const std::string code = e.code == "value_missing" ? "field_missing" : "field_invalid";
    return std::unexpected(InboundError{code, e.field, e.message});
  }
  out.protected_identity = mapped->protected_identity;
  // Members Jobbtorg's schema does not name go to the audit record and the report is still taken:
  // a refused report would be sent again unchanged and never accepted.
  out.deviations = std::move(mapped->deviations);
  for (auto& event : mapped->events) {
    out.events.push_back(ReportedEvent{std::move(event.type), std::move(event.occurred_at), std::move(event.facts)});
  }
  return out;
}

}  // namespace knutpunkt::jobbtorg
