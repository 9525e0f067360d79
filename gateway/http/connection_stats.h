#pragma once
// What the HTTP listener counts about its connections, for /metrics: written by the server's
// threads, read by the metrics endpoint. Figures only.
#include <atomic>
#include <cstdint>
#include <string>

namespace knutpunkt::http {

struct ConnectionStats {
  std::atomic<std::int64_t> open{0};                           // client connections being served now
  std::atomic<std::int64_t> limit{0};                          // the limit in force (server.max_connections, capped)
  std::atomic<std::uint64_t> limit_reached_total{0};           // times accepting paused at the limit
  std::atomic<std::uint64_t> accept_errors_total{0};           // accepts the operating system refused (EMFILE, ...)
  std::atomic<std::uint64_t> tls_handshake_failures_total{0};  // connections whose TLS handshake failed

  // Prometheus text exposition of the figures.
  std::string render_prometheus() const;
};

}  // namespace knutpunkt::http
