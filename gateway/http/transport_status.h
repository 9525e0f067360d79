#pragma once
// How the gateway's own port is protected, for /readyz and /metrics: TLS or plain HTTP (which the
// config must ask for by name), and when each certificate the gateway holds stops being valid.
// An expiring certificate does not make the gateway unready: it works until the day it expires,
// and the warning is there so that someone renews it before then.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "tls/reloadable_context.h"

namespace knutpunkt::http {

struct TransportStatus {
  bool plain_http = false;
  const tls::ContextRegistry* certificates = nullptr;  // null: none held
  std::chrono::hours warn_before{30 * 24};
};

// /readyz warnings: plain HTTP, and each certificate within `warn_before` of its notAfter or past it.
nlohmann::json transport_warnings(const TransportStatus& status, std::chrono::system_clock::time_point now);

// knutpunkt_certificate_expiry_seconds{name}: seconds until each certificate's notAfter (negative
// once expired), in Prometheus text exposition.
std::string render_certificate_expiry(const TransportStatus& status, std::chrono::system_clock::time_point now);

}  // namespace knutpunkt::http
