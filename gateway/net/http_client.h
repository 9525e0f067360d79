#pragma once
// Asynchronous HTTP/1.1 client on Boost.Beast, for adapters talking to partners.
// Connections are kept alive and reused per destination (scheme, host:port and TLS profile), so a
// burst of lookups does not pay a TCP and TLS handshake each time. Every exchange has a deadline;
// nothing here blocks the calling thread. https goes only through a TlsProfile: mutual TLS with
// the municipality's organisation certificate, the partner verified against its own CA bundle.
#include <chrono>
#include <cstddef>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/io_context_fwd.h"
#include "net/tls_profile.h"

namespace knutpunkt::net {

struct HttpUrl {
  std::string host;
  std::string port;
  std::string target;           // path and query, at least "/"
  std::string scheme = "http";  // "http" or "https"

  bool tls() const { return scheme == "https"; }
};

// http:// (default port 80) or https:// (default port 443).
std::expected<HttpUrl, std::string> parse_http_url(std::string_view url);

struct HttpRequest {
  std::string method = "POST";
  HttpUrl url;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Whether the request may be sent a second time when a pooled connection dies under it before
  // any byte of the answer. The partner may have received and acted on it by then: a POST that
  // changes state there (a referral, a recovery claim) must not be repeated, while a lookup
  // question may be asked again. Off unless the caller knows; a failure is then reported as is.
  bool safe_to_repeat = false;
  // Required for an https URL (there is no fallback to plain text, nor to the system's CAs).
  std::shared_ptr<TlsProfile> tls;
};

struct HttpResponse {
  unsigned status = 0;
  std::string content_type;
  std::string retry_after;  // the Retry-After header as sent (seconds or an HTTP date), if any
  std::string body;
};

// tls_failed: no TLS session could be set up or the partner refused ours; the message says why
// in an operator's words (whose certificate, what is wrong with it).
enum class TransportErrorKind { timeout, connect_failed, connection_lost, protocol, too_large, tls_failed };
std::string_view to_string(TransportErrorKind kind);

struct TransportError {
  TransportErrorKind kind;
  std::string message;  // from the network stack; contains no payload
};

using HttpResult = std::expected<HttpResponse, TransportError>;

class HttpClient {
 public:
  struct Options {
    std::size_t max_idle_per_host = 32;
    std::size_t max_response_bytes = 8 * 1024 * 1024;
  };

  explicit HttpClient(boost::asio::io_context& io);
  HttpClient(boost::asio::io_context& io, Options options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Calls `done` exactly once, on one of the io_context's threads. A refused or reset connection
  // is reported as soon as the network says so (connect_failed, connection_lost); only silence
  // runs into the deadline (timeout). A request that is safe_to_repeat is sent at most twice.
  void send(HttpRequest request, std::chrono::steady_clock::time_point deadline, std::function<void(HttpResult)> done);

  // Closes idle connections (e.g. at shutdown).
  void close_idle();

  // The profile for `settings`, loaded once: destinations configured with the same files (one
  // adapter's lookup and delivery facets) share it and its sessions. `name` says where it is
  // configured (a config pointer), for operators.
  std::expected<std::shared_ptr<TlsProfile>, std::string> tls_profile(const std::string& name,
                                                                      const TlsSettings& settings);
  // Reloads every profile from its files (on SIGHUP, after certificates are renewed); one message
  // per profile that failed, which keeps its old context.
  std::vector<std::string> reload_tls();
  // Every profile loaded so far, so the process can reload them with its other TLS contexts.
  std::vector<std::shared_ptr<TlsProfile>> tls_profiles() const;
  // Every profile's certificates with their notAfter, by profile name.
  std::vector<std::pair<std::string, CertificateValidity>> tls_certificates() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace knutpunkt::net
