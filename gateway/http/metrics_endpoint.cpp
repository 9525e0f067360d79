#include "http/metrics_endpoint.h"

#include "core/build_info.h"
#include "core/clock.h"
#include "lookup/contract_retirement.h"

namespace knutpunkt::http {

std::string build_info_metric() {
  return std::string(
             "# HELP knutpunkt_build_info The running build; the value is always 1.\n"
             "# TYPE knutpunkt_build_info gauge\nknutpunkt_build_info{version=\"") +
         build_version() + "\"} 1\n";
}

void MetricsEndpoint::handle(Reply reply) const {
  std::string text = build_info_metric();
  text += delivery::render_prometheus(engine_.metrics());
  const AuditLogStats audit = audit_.stats();
  text += "# HELP knutpunkt_audit_records_total Audit records committed.\n# TYPE knutpunkt_audit_records_total counter\n";
  text += "knutpunkt_audit_records_total " + std::to_string(audit.records) + "\n";
  text += "# HELP knutpunkt_audit_commits_total Audit transactions committed (one fsync each).\n";
  text += "# TYPE knutpunkt_audit_commits_total counter\nknutpunkt_audit_commits_total " + std::to_string(audit.commits) + "\n";
  text += "# HELP knutpunkt_audit_failed_commits_total Audit transactions the store refused.\n";
  text += "# TYPE knutpunkt_audit_failed_commits_total counter\nknutpunkt_audit_failed_commits_total " +
          std::to_string(audit.failed_commits) + "\n";
  text += lookups_.metrics().render_prometheus();
  text += render_prometheus(contract_retirements(lookups_.contract_versions(), std::chrono::sys_days(today_utc())));
  text += connections_.render_prometheus();
  text += render_certificate_expiry(transport_, std::chrono::system_clock::now());
  text += requests_.render_prometheus();
  Response response{boost::beast::http::status::ok, 11};
  response.set(boost::beast::http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.body() = std::move(text);
  response.prepare_payload();
  reply(std::move(response));
}

}  // namespace knutpunkt::http
