#include "http/transport_status.h"

#include "core/clock.h"
#include "core/prometheus_label.h"

namespace knutpunkt::http {

nlohmann::json transport_warnings(const TransportStatus& status, std::chrono::system_clock::time_point now) {
  nlohmann::json warnings = nlohmann::json::array();
  if (status.plain_http) {
    warnings.push_back({{"code", "plain_http"},
                        {"detail",
                         "the gateway serves plain HTTP (server.plain_http): tokens, passwords and personal data "
                         "cross the network unencrypted"}});
  }
  if (status.certificates == nullptr) return warnings;
  for (const auto& [name, not_after] : status.certificates->expiries()) {
    if (not_after - now > status.warn_before) continue;
    const auto days_left = std::chrono::floor<std::chrono::days>(not_after - now).count();
    const bool expired = not_after <= now;
    warnings.push_back({{"code", expired ? "certificate_expired" : "certificate_expiring"},
                        {"certificate", name},
                        {"not_after", format_utc(not_after)},
                        {"days_left", days_left},
                        {"detail", expired ? "the certificate has expired; replace it and send SIGHUP"
                                           : "the certificate expires soon; renew it and send SIGHUP"}});
  }
  return warnings;
}

std::string render_certificate_expiry(const TransportStatus& status, std::chrono::system_clock::time_point now) {
  if (status.certificates == nullptr) return {};
  const auto expiries = status.certificates->expiries();
  if (expiries.empty()) return {};
  std::string out =
      "# HELP knutpunkt_certificate_expiry_seconds Seconds until the certificate chain stops being valid (negative "
      "once it has).\n# TYPE knutpunkt_certificate_expiry_seconds gauge\n";
  for (const auto& [name, not_after] : expiries) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(not_after - now).count();
    out += "knutpunkt_certificate_expiry_seconds{name=\"" + prometheus_label(name) + "\"} " + std::to_string(seconds) +
           "\n";
  }
  return out;
}

}  // namespace knutpunkt::http
