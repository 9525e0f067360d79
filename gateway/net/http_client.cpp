#include "net/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <variant>

namespace knutpunkt::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string_view to_string(TransportErrorKind kind) {
  switch (kind) {
    case TransportErrorKind::timeout:
      return "timeout";
    case TransportErrorKind::connect_failed:
      return "connect_failed";
    case TransportErrorKind::connection_lost:
      return "connection_lost";
    case TransportErrorKind::protocol:
      return "protocol";
    case TransportErrorKind::too_large:
      return "too_large";
    case TransportErrorKind::tls_failed:
      return "tls_failed";
  }
  return "protocol";
}

std::expected<HttpUrl, std::string> parse_http_url(std::string_view url) {
  HttpUrl out;
  std::string_view default_port;
  if (url.starts_with("http://")) {
    url.remove_prefix(7);
    default_port = "80";
  } else if (url.starts_with("https://")) {
    url.remove_prefix(8);
    out.scheme = "https";
    default_port = "443";
  } else {
    return std::unexpected("only http:// and https:// URLs are supported");
  }
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    out.host = authority;
    out.port = default_port;
  } else {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return std::unexpected("URL has no host");
  if (out.port.empty() || out.port.find_first_not_of("0123456789") != std::string::npos) {
    return std::unexpected("URL has an invalid port");
  }
  return out;
}

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One connection to a destination, plain or TLS; the exchange is written once for both.
struct Connection {
  // Declared first so it outlives the stream: the stream's SSL was made from it.
  std::shared_ptr<ssl::context> context;
  std::variant<PlainStream, TlsStream> stream;

  template <typename Executor>
  explicit Connection(Executor executor) : stream(std::in_place_type<PlainStream>, executor) {}
  template <typename Executor>
  Connection(Executor executor, std::shared_ptr<ssl::context> tls)
      : context(std::move(tls)), stream(std::in_place_type<TlsStream>, executor, *context) {}

  beast::tcp_stream& tcp() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream);
  }
  SSL* ssl() {
    auto* tls = std::get_if<TlsStream>(&stream);
    return tls == nullptr ? nullptr : tls->native_handle();
  }
};

// Without a TLS close_notify: the connection is idle or failed, and the partner sees the TCP close
// either way; waiting for its answer would hold shutdown for nothing.
void close_connection(Connection& connection) {
  beast::tcp_stream& stream = connection.tcp();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.close();
}

// The reason a TLS session could not be set up (or was refused), as an operator would ask it:
// whose certificate, and what is wrong with it. OpenSSL's own words are kept in the message so
// the operator can search for them.
std::string tls_failure_reason(const beast::error_code& ec, SSL* ssl, bool have_client_certificate,
                               const std::string& verified_name) {
  if (ec.category() != asio::error::get_ssl_category()) {
    return "the partner closed the connection during the TLS handshake (" + ec.message() + ")";
  }
  const std::string openssl = ec.message();
  switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
    case SSL_R_CERTIFICATE_VERIFY_FAILED: {
      const long result = ssl == nullptr ? X509_V_OK : SSL_get_verify_result(ssl);
      const std::string detail = openssl + ": " + X509_verify_cert_error_string(result);
      switch (result) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
          return detail + " (the partner's certificate is not issued by a CA in tls.ca_file)";
        case X509_V_ERR_CERT_HAS_EXPIRED:
          return detail + " (the partner's certificate has expired)";
        case X509_V_ERR_CERT_NOT_YET_VALID:
          return detail + " (the partner's certificate is not yet valid)";
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
          return detail + " (the partner's certificate is not issued for " + verified_name + ")";
        default:
          return detail + " (the partner's certificate was refused)";
      }
    }
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_HTTP_REQUEST:
      return openssl + " (the partner does not speak TLS on this port; plain HTTP?)";
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
      return openssl + " (the partner offers no TLS version of 1.2 or later)";
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
      if (!have_client_certificate) {
        return openssl + " (the partner requires a client certificate and none is configured: tls.certificate)";
      }
      return openssl + " (the partner refused the handshake)";
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
      return openssl + " (the partner refused our client certificate, tls.certificate)";
    default:
      return openssl;
  }
}

// True when the partner has closed, reset or written to an idle pooled connection since it was
// pooled (servers close kept-alive connections after their own idle timeout). Seen before anything
// is sent, so any request may go on a fresh connection instead.
bool closed_while_idle(Connection& connection) {
  auto& socket = connection.tcp().socket();
  beast::error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return true;
  char byte = 0;
  socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
  return ec != asio::error::would_block;
}

}  // namespace

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
  asio::io_context& io;
  Options options;
  std::mutex mutex;
  // Key: scheme, host:port and TLS profile, so a plain and a TLS connection, or connections made
  // with two profiles (two client identities), are never mistaken for one another.
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
  std::vector<std::shared_ptr<TlsProfile>> tls_profiles;

  Impl(asio::io_context& io_context, Options opts) : io(io_context), options(opts) {}

  std::unique_ptr<Connection> take_idle(const std::string& key) {
    while (auto stream = pop_idle(key)) {
      if (!closed_while_idle(*stream)) return stream;
      close_connection(*stream);
    }
    return nullptr;
  }

  void give_back(const std::string& key, std::unique_ptr<Connection> stream) {
    std::lock_guard lock(mutex);
    auto& list = idle[key];
    if (list.size() < options.max_idle_per_host) list.push_back(std::move(stream));
  }

 private:
  std::unique_ptr<Connection> pop_idle(const std::string& key) {
    std::lock_guard lock(mutex);
    auto it = idle.find(key);
    if (it == idle.end() || it->second.empty()) return nullptr;
    auto stream = std::move(it->second.back());
    it->second.pop_back();
    return stream;
  }
};

namespace {

// One request/response exchange. Owns its connection until it is done, then returns it to the
// pool if the server allows keep-alive.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<HttpClient::Impl> client, HttpRequest request,
           std::chrono::steady_clock::time_point deadline, std::function<void(HttpResult)> done)
      : client_(std::move(client)),
        destination_(request.url.host + ":" + request.url.port),
        key_(pool_key(request)),
        url_(request.url),
        tls_(std::move(request.tls)),
        deadline_(deadline),
        safe_to_repeat_(request.safe_to_repeat),
        done_(std::move(done)),
        resolver_(asio::make_strand(client_->io)) {
    req_.method_string(request.method);
    req_.target(request.url.target);
    req_.version(11);
    req_.set(http::field::host, destination_);
    req_.set(http::field::user_agent, "knutpunkt");
    req_.set(http::field::connection, "keep-alive");
    if (!request.content_type.empty()) req_.set(http::field::content_type, request.content_type);
    for (const auto& [name, value] : request.headers) req_.set(name, value);
    req_.body() = std::move(request.body);
    req_.prepare_payload();
  }

  void start() {
    // Never plain text in place of TLS: an https destination without its profile is not called.
    if (url_.tls() && !tls_) {
      return fail(TransportErrorKind::tls_failed, "no TLS profile is configured for " + destination_);
    }
    connection_ = client_->take_idle(key_);
    if (connection_) {
      reused_ = true;
      write();
    } else {
      connect();
    }
  }

 private:
  static std::string pool_key(const HttpRequest& request) {
    std::string key = request.url.scheme + "://" + request.url.host + ":" + request.url.port;
    if (request.url.tls() && request.tls) {
      key += "#" + std::to_string(reinterpret_cast<std::uintptr_t>(request.tls.get()));
    }
    return key;
  }

  void connect() {
    reused_ = false;
    if (url_.tls()) {
      connection_ = std::make_unique<Connection>(asio::make_strand(client_->io), tls_->context());
    } else {
      connection_ = std::make_unique<Connection>(asio::make_strand(client_->io));
    }
    resolver_.async_resolve(url_.host, url_.port,
                            [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                              self->on_resolve(ec, std::move(results));
                            });
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail(TransportErrorKind::connect_failed, "resolve: " + ec.message());
    if (expired()) return fail(TransportErrorKind::timeout, "deadline passed before connecting");
    connection_->tcp().expires_at(deadline_);
    connection_->tcp().async_connect(results, [self = shared_from_this()](beast::error_code err, const tcp::endpoint&) {
      if (err == beast::error::timeout) return self->fail(TransportErrorKind::timeout, "connect timed out");
      // The partner's kernel accepted the connection and its server reset it before the handshake
      // was seen here: the connection was lost, not refused.
      if (is_connection_loss(err)) return self->fail(TransportErrorKind::connection_lost, "connect: " + err.message());
      if (err) return self->fail(TransportErrorKind::connect_failed, "connect: " + err.message());
      // Requests go out as header and body; Nagle would hold the body for the partner's delayed ACK.
      beast::error_code ignored;
      self->connection_->tcp().socket().set_option(tcp::no_delay(true), ignored);
      if (self->url_.tls()) return self->handshake();
      self->write();
    });
  }

  // The name the partner's certificate must carry: the URL's host, or the configured override
  // (a partner reached through an address its certificate does not name).
  const std::string& verified_name() const {
    return tls_->settings().server_name.empty() ? url_.host : tls_->settings().server_name;
  }

  void handshake() {
    SSL* ssl = connection_->ssl();
    const std::string& name = verified_name();
    beast::error_code not_an_address;
    asio::ip::make_address(name, not_an_address);
    if (not_an_address) {
      // SNI, for a partner serving several names from one address, and OpenSSL's own host name
      // check (RFC 6125), which reports a mismatch as such.
      SSL_set_tlsext_host_name(ssl, name.c_str());
      SSL_set1_host(ssl, name.c_str());
    } else {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    }
    tls_->offer_session(destination_, ssl);
    connection_->tcp().expires_at(deadline_);
    std::get<TlsStream>(connection_->stream)
        .async_handshake(ssl::stream_base::client, [self = shared_from_this()](beast::error_code ec) {
          if (ec == beast::error::timeout) return self->fail(TransportErrorKind::timeout, "TLS handshake timed out");
          if (ec) return self->fail_tls(ec);
          self->write();
        });
  }

  void fail_tls(beast::error_code ec) {
    tls_->forget_session(destination_);
    fail(TransportErrorKind::tls_failed,
         "TLS with " + destination_ +
             " failed: " + tls_failure_reason(ec, connection_->ssl(), tls_->has_client_certificate(), verified_name()));
  }

  void write() {
    if (expired()) return fail(TransportErrorKind::timeout, "deadline passed before sending");
    connection_->tcp().expires_at(deadline_);
    std::visit(
        [&](auto& stream) {
          http::async_write(stream, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->on_io_error(ec, "write");
            self->read();
          });
        },
        connection_->stream);
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(client_->options.max_response_bytes);
    std::visit(
        [&](auto& stream) {
          http::async_read(stream, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->on_io_error(ec, "read");
            self->succeed();
          });
        },
        connection_->stream);
  }

  void on_io_error(beast::error_code ec, const char* stage) {
    if (may_repeat_on_fresh_connection(ec)) {
      repeated_ = true;
      close();
      buffer_.clear();
      parser_.reset();
      return connect();
    }
    if (ec == beast::error::timeout) return fail(TransportErrorKind::timeout, std::string(stage) + " timed out");
    if (ec == http::error::body_limit) return fail(TransportErrorKind::too_large, "response body over the limit");
    // Under TLS 1.3 the partner checks our certificate after our side of the handshake is done, so
    // its refusal arrives as an alert in place of the answer.
    if (ec.category() == asio::error::get_ssl_category()) return fail_tls(ec);
    if (!is_connection_loss(ec) && ec.category() == beast::error_code(http::error::end_of_stream).category()) {
      return fail(TransportErrorKind::protocol, std::string(stage) + ": " + ec.message());
    }
    fail(TransportErrorKind::connection_lost, std::string(stage) + ": " + ec.message());
  }

  // A kept-alive connection can die under a request when the partner closes it for idleness just
  // as the request goes out. That says nothing about the partner, but it may have had the request
  // and acted on it, so it is sent again only when the caller says that is safe, only once, only
  // on a fresh connection, only before any byte of the answer and only before the deadline.
  bool may_repeat_on_fresh_connection(beast::error_code ec) const {
    return safe_to_repeat_ && reused_ && !repeated_ && !answer_begun() && is_connection_loss(ec) && !expired();
  }

  bool answer_begun() const { return buffer_.size() > 0 || (parser_ && parser_->got_some()); }

  // A TLS peer that closes without close_notify (stream_truncated) has closed the connection all the same.
  static bool is_connection_loss(beast::error_code ec) {
    return ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe || ec == asio::error::not_connected || ec == ssl::error::stream_truncated;
  }

  void succeed() {
    auto& res = parser_->get();
    HttpResponse out;
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    out.retry_after = std::string(res[http::field::retry_after]);
    const bool keep = res.keep_alive();
    out.body = std::move(res.body());
    // Under TLS 1.3 the session to resume arrives after the handshake; it has by the time the
    // answer is read.
    if (SSL* ssl = connection_->ssl()) tls_->keep_session(destination_, ssl);
    if (keep) {
      connection_->tcp().expires_never();
      client_->give_back(key_, std::move(connection_));
    } else {
      close();
    }
    finish(std::move(out));
  }

  void fail(TransportErrorKind kind, std::string message) {
    close();
    finish(std::unexpected(TransportError{kind, std::move(message)}));
  }

  void close() {
    if (connection_) {
      close_connection(*connection_);
      connection_.reset();
    }
  }

  void finish(HttpResult result) {
    if (auto done = std::exchange(done_, nullptr)) done(std::move(result));
  }

  bool expired() const { return std::chrono::steady_clock::now() >= deadline_; }

  std::shared_ptr<HttpClient::Impl> client_;
  std::string destination_;  // host:port
  std::string key_;          // of the pool
  HttpUrl url_;
  std::shared_ptr<TlsProfile> tls_;
  std::chrono::steady_clock::time_point deadline_;
  bool safe_to_repeat_;
  std::function<void(HttpResult)> done_;
  tcp::resolver resolver_;
  std::unique_ptr<Connection> connection_;
  bool reused_ = false;    // the connection came from the pool
  bool repeated_ = false;  // the request has already been sent again once
  http::request<http::string_body> req_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

}  // namespace

HttpClient::HttpClient(asio::io_context& io) : HttpClient(io, Options{}) {}
HttpClient::HttpClient(asio::io_context& io, Options options) : impl_(std::make_shared<Impl>(io, options)) {}
HttpClient::~HttpClient() {
  close_idle();
}

void HttpClient::send(HttpRequest request, std::chrono::steady_clock::time_point deadline,
                      std::function<void(HttpResult)> done) {
  std::make_shared<Exchange>(impl_, std::move(request), deadline, std::move(done))->start();
}

void HttpClient::close_idle() {
  std::lock_guard lock(impl_->mutex);
  for (auto& [key, list] : impl_->idle) {
    for (auto& stream : list) close_connection(*stream);
  }
  impl_->idle.clear();
}

std::expected<std::shared_ptr<TlsProfile>, std::string> HttpClient::tls_profile(const std::string& name,
                                                                                const TlsSettings& settings) {
  {
    std::lock_guard lock(impl_->mutex);
    for (const auto& profile : impl_->tls_profiles) {
      if (profile->settings() == settings) return profile;
    }
  }
  auto profile = TlsProfile::load(name, settings);
  if (!profile) return std::unexpected(profile.error());
  std::lock_guard lock(impl_->mutex);
  impl_->tls_profiles.push_back(*profile);
  return *profile;
}

std::vector<std::string> HttpClient::reload_tls() {
  std::vector<std::shared_ptr<TlsProfile>> profiles;
  {
    std::lock_guard lock(impl_->mutex);
    profiles = impl_->tls_profiles;
  }
  std::vector<std::string> errors;
  for (const auto& profile : profiles) {
    if (auto reloaded = profile->reload(); !reloaded) errors.push_back(profile->name() + ": " + reloaded.error());
  }
  return errors;
}

std::vector<std::shared_ptr<TlsProfile>> HttpClient::tls_profiles() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->tls_profiles;
}

std::vector<std::pair<std::string, CertificateValidity>> HttpClient::tls_certificates() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::pair<std::string, CertificateValidity>> out;
  for (const auto& profile : impl_->tls_profiles) {
    for (auto& certificate : profile->certificates()) out.emplace_back(profile->name(), std::move(certificate));
  }
  return out;
}

}  // namespace knutpunkt::net
