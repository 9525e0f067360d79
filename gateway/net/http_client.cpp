#include "net/http_client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <map>
#include <mutex>
#include <optional>

namespace knutpunkt::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string_view to_string(TransportErrorKind kind) {
  switch (kind) {
    case TransportErrorKind::timeout: return "timeout";
    case TransportErrorKind::connect_failed: return "connect_failed";
    case TransportErrorKind::connection_lost: return "connection_lost";
    case TransportErrorKind::protocol: return "protocol";
    case TransportErrorKind::too_large: return "too_large";
  }
  return "protocol";
}

std::expected<HttpUrl, std::string> parse_http_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) return std::unexpected("only http:// URLs are supported");
  url.remove_prefix(scheme.size());
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  HttpUrl out;
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    out.host = authority;
    out.port = "80";
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

void close_connection(beast::tcp_stream& stream) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.close();
}

// True when the partner has closed, reset or written to an idle pooled connection since it was
// pooled (servers close kept-alive connections after their own idle timeout). Seen before anything
// is sent, so any request may go on a fresh connection instead.
bool closed_while_idle(beast::tcp_stream& stream) {
  auto& socket = stream.socket();
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
  std::map<std::string, std::vector<std::unique_ptr<beast::tcp_stream>>> idle;  // key host:port

  Impl(asio::io_context& io_context, Options opts) : io(io_context), options(opts) {}

  std::unique_ptr<beast::tcp_stream> take_idle(const std::string& key) {
    while (auto stream = pop_idle(key)) {
      if (!closed_while_idle(*stream)) return stream;
      close_connection(*stream);
    }
    return nullptr;
  }

  void give_back(const std::string& key, std::unique_ptr<beast::tcp_stream> stream) {
    std::lock_guard lock(mutex);
    auto& list = idle[key];
    if (list.size() < options.max_idle_per_host) list.push_back(std::move(stream));
  }

 private:
  std::unique_ptr<beast::tcp_stream> pop_idle(const std::string& key) {
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
  Exchange(std::shared_ptr<HttpClient::Impl> client, HttpRequest request, std::chrono::steady_clock::time_point deadline,
           std::function<void(HttpResult)> done)
      : client_(std::move(client)),
        key_(request.url.host + ":" + request.url.port),
        url_(request.url),
        deadline_(deadline),
        safe_to_repeat_(request.safe_to_repeat),
        done_(std::move(done)),
        resolver_(asio::make_strand(client_->io)) {
    req_.method_string(request.method);
    req_.target(request.url.target);
    req_.version(11);
    req_.set(http::field::host, request.url.host + ":" + request.url.port);
    req_.set(http::field::user_agent, "knutpunkt");
    req_.set(http::field::connection, "keep-alive");
    if (!request.content_type.empty()) req_.set(http::field::content_type, request.content_type);
    for (const auto& [name, value] : request.headers) req_.set(name, value);
    req_.body() = std::move(request.body);
    req_.prepare_payload();
  }

  void start() {
    stream_ = client_->take_idle(key_);
    if (stream_) {
      reused_ = true;
      write();
    } else {
      connect();
    }
  }

 private:
  void connect() {
    reused_ = false;
    stream_ = std::make_unique<beast::tcp_stream>(asio::make_strand(client_->io));
    resolver_.async_resolve(url_.host, url_.port,
                            [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                              self->on_resolve(ec, std::move(results));
                            });
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail(TransportErrorKind::connect_failed, "resolve: " + ec.message());
    if (expired()) return fail(TransportErrorKind::timeout, "deadline passed before connecting");
    stream_->expires_at(deadline_);
    stream_->async_connect(results, [self = shared_from_this()](beast::error_code err, const tcp::endpoint&) {
      if (err == beast::error::timeout) return self->fail(TransportErrorKind::timeout, "connect timed out");
      // The partner's kernel accepted the connection and its server reset it before the handshake
      // was seen here: the connection was lost, not refused.
      if (is_connection_loss(err)) return self->fail(TransportErrorKind::connection_lost, "connect: " + err.message());
      if (err) return self->fail(TransportErrorKind::connect_failed, "connect: " + err.message());
      // Requests go out as header and body; Nagle would hold the body for the partner's delayed ACK.
      beast::error_code ignored;
      self->stream_->socket().set_option(tcp::no_delay(true), ignored);
      self->write();
    });
  }

  void write() {
    if (expired()) return fail(TransportErrorKind::timeout, "deadline passed before sending");
    stream_->expires_at(deadline_);
    http::async_write(*stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->on_io_error(ec, "write");
      self->read();
    });
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(client_->options.max_response_bytes);
    http::async_read(*stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->on_io_error(ec, "read");
      self->succeed();
    });
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

  static bool is_connection_loss(beast::error_code ec) {
    return ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe || ec == asio::error::not_connected;
  }

  void succeed() {
    auto& res = parser_->get();
    HttpResponse out;
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    out.retry_after = std::string(res[http::field::retry_after]);
    const bool keep = res.keep_alive();
    out.body = std::move(res.body());
    if (keep) {
      stream_->expires_never();
      client_->give_back(key_, std::move(stream_));
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
    if (stream_) {
      close_connection(*stream_);
      stream_.reset();
    }
  }

  void finish(HttpResult result) {
    if (auto done = std::exchange(done_, nullptr)) done(std::move(result));
  }

  bool expired() const { return std::chrono::steady_clock::now() >= deadline_; }

  std::shared_ptr<HttpClient::Impl> client_;
  std::string key_;
  HttpUrl url_;
  std::chrono::steady_clock::time_point deadline_;
  bool safe_to_repeat_;
  std::function<void(HttpResult)> done_;
  tcp::resolver resolver_;
  std::unique_ptr<beast::tcp_stream> stream_;
  bool reused_ = false;    // the connection came from the pool
  bool repeated_ = false;  // the request has already been sent again once
  http::request<http::string_body> req_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

}  // namespace

HttpClient::HttpClient(asio::io_context& io) : HttpClient(io, Options{}) {}
HttpClient::HttpClient(asio::io_context& io, Options options) : impl_(std::make_shared<Impl>(io, options)) {}
HttpClient::~HttpClient() { close_idle(); }

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

}  // namespace knutpunkt::net
