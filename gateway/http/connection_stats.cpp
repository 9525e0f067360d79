#include "http/connection_stats.h"

namespace knutpunkt::http {

namespace {

void family(std::string& out, const char* name, const char* type, const char* help, const std::string& value) {
  out +=
      std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " + value + "\n";
}

}  // namespace

std::string ConnectionStats::render_prometheus() const {
  std::string out;
  family(out, "knutpunkt_http_open_connections", "gauge", "Client connections being served.",
         std::to_string(open.load()));
  family(out, "knutpunkt_http_connection_limit", "gauge",
         "Client connections served at once; more wait until one closes.", std::to_string(limit.load()));
  family(out, "knutpunkt_http_connection_limit_reached_total", "counter",
         "Times the gateway stopped accepting connections because the limit was reached.",
         std::to_string(limit_reached_total.load()));
  family(out, "knutpunkt_http_accept_errors_total", "counter",
         "Connections the operating system could not hand over (out of descriptors or buffers).",
         std::to_string(accept_errors_total.load()));
  family(out, "knutpunkt_http_tls_handshake_failures_total", "counter",
         "Connections closed because their TLS handshake failed (plain HTTP on the TLS port, an old protocol, "
         "a client certificate that does not verify).",
         std::to_string(tls_handshake_failures_total.load()));
  return out;
}

}  // namespace knutpunkt::http
