#include "http/attendance_endpoint.h"

#include "http/message.h"
#include "http/problem.h"
#include "http/request_fields.h"

namespace knutpunkt::http {

AttendanceEndpoint::AttendanceEndpoint(const attendance::AttendanceSummaries& summaries) : summaries_(summaries) {}

void AttendanceEndpoint::month(Exchange exchange) {
  const std::string& referral_id = exchange.param("referral_id");
  const std::string& client_id = exchange.client().id;
  exchange.audit_context()["referral_id"] = referral_id;
  std::vector<InvalidParam> invalid;
  valid_identifier(referral_id, "referral_id", invalid);
  const auto params = query_parameters(to_std(exchange.request().target()));
  if (!params) {
    return exchange.refuse(
        {400, "invalid_query", "Invalid query string", {}, {{"", "bad_format", "is not a valid query string"}}, {}});
  }
  std::optional<std::chrono::year_month> month;
  for (const auto& [name, value] : *params) {
    if (name != "month") {
      invalid.push_back({name, "unknown_parameter", "is not a known parameter"});
      continue;
    }
    exchange.audit_context()["month"] = value.substr(0, 16);
    month = attendance::parse_month(value);
    if (!month) invalid.push_back({"month", "bad_format", "must be a calendar month, YYYY-MM"});
  }
  if (!params->contains("month")) invalid.push_back({"month", "required", "is required (YYYY-MM)"});
  if (!invalid.empty()) {
    return exchange.refuse({400, "invalid_request", "Invalid request", "see invalid_params", std::move(invalid), {}});
  }
  auto view = summaries_.month_view(client_id, referral_id, *month);
  if (!view) {
    // Another client's referral is "not found", not "forbidden": its existence is not disclosed.
    if (view.error().code == "unknown_referral")
      return exchange.refuse({404, "not_found", "No such referral", {}, {}, {}});
    return exchange.store_unavailable();
  }
  // Attendance is personal data a decision may rest on: reading it is audited before it is answered.
  nlohmann::json body = {{"client", client_id},
                         {"referral_id", referral_id},
                         {"case_id", view->value("case_id", "")},
                         {"month", view->value("month", "")}};
  exchange.commit({"referral.attendance_read", std::move(body), {}}, "the read could not be audited; try again",
                  [out = std::move(*view)](const AuditReceipt&) { return make_json_response(200, out); });
}

}  // namespace knutpunkt::http
