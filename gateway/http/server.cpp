#include "http/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <type_traits>

#include "http/message_framing.h"
#include "log/log.h"
#include "tls/openssl_error.h"

namespace knutpunkt::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct DrainState {
  std::atomic<bool> draining{false};
  std::atomic<std::int64_t> in_flight{0};
};

struct Shared {
  ServerOptions options;
  RequestHandler handler;
  UnreadRefusalHandler on_unread;
  std::shared_ptr<DrainState> drain;
  ConnectionStats* stats;
};

// Held by a session for its life: its connection counts against the limit until it ends.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::function<void()> release) : release_(std::move(release)) {}
  ~ConnectionSlot() {
    if (release_) release_();
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::function<void()> release_;
};

Problem body_too_large() {
  return {413, "body_too_large", "Request body too large", "the request body exceeds the configured limit", {}, {}};
}

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// A TLS session keeps the context it was accepted with: a reload replaces the server's context,
// and the old one must live as long as the connections that use it.
struct TlsContextHold {
  std::shared_ptr<asio::ssl::context> context;
};

PlainStream make_stream(tcp::socket&& socket, const TlsContextHold&, std::type_identity<PlainStream>) {
  return PlainStream(std::move(socket));
}
TlsStream make_stream(tcp::socket&& socket, const TlsContextHold& hold, std::type_identity<TlsStream>) {
  return TlsStream(std::move(socket), *hold.context);
}

// How long a TLS close_notify exchange may take before the socket is closed anyway.
constexpr std::chrono::seconds kTlsShutdownTimeout{5};

template <class Stream>
class Session : private TlsContextHold, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(tcp::socket&& socket, std::shared_ptr<asio::ssl::context> context, std::shared_ptr<const Shared> shared,
          std::function<void()> release)
      : TlsContextHold{std::move(context)},
        stream_(make_stream(std::move(socket), *this, std::type_identity<Stream>{})),
        shared_(std::move(shared)),
        slot_(std::move(release)) {}

  void run() {
    // Start on the session's strand: everything this session does is serialised there.
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::start, this->shared_from_this()));
  }

 private:
  void start() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(shared_->options.request_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              beast::bind_front_handler(&Session::on_handshake, this->shared_from_this()));
    } else {
      read();
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      ++shared_->stats->tls_handshake_failures_total;
      // The reason (a protocol version, an unknown CA, plain HTTP on this port) helps an operator;
      // it holds nothing the client sent.
      log::debug("http.tls_handshake_failed", {{"reason", tls::openssl_reason(ec)}});
      return close_now();
    }
    if constexpr (kTls) {
      if (X509* peer = SSL_get1_peer_certificate(stream_.native_handle())) {
        client_certificate_ = std::make_shared<const tls::PeerCertificate>(tls::describe(peer));
        X509_free(peer);
      }
    }
    read();
  }

  // The header first, then the body: how the body is delimited is checked before a byte of it is read.
  void read() {
    parser_.emplace();
    parser_->body_limit(shared_->options.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(shared_->options.request_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_header, this->shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ended(ec)) return close_now();
    if (ec == bhttp::error::body_limit) return refuse_unread(body_too_large());
    // The parser's own framing faults: a Content-Length it cannot read, or one beside
    // Transfer-Encoding. The method and target are read by then, so the refusal names its route.
    if (ec == bhttp::error::bad_content_length) {
      return refuse_unread(invalid_framing("Content-Length", "must be one decimal length"));
    }
    if (ec == bhttp::error::bad_transfer_encoding) {
      return refuse_unread(invalid_framing("Transfer-Encoding", "must not be repeated or sent with Content-Length"));
    }
    if (ec) {
      log::debug("http.read_failed", {{"error", ec.message()}});
      return close_now();
    }
    if (auto framing = check_framing(parser_->get()); !framing) return refuse_unread(std::move(framing.error()));
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ended(ec)) return close_now();
    if (ec == bhttp::error::body_limit) return refuse_unread(body_too_large());
    if (ec) {
      log::debug("http.read_failed", {{"error", ec.message()}});
      return close_now();
    }
    Request request = parser_->release();
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    // The handler has its own deadline; the reply write gets a fresh timeout.
    beast::get_lowest_layer(stream_).expires_never();
    ++shared_->drain->in_flight;
    shared_->handler(std::move(request), context(), make_reply());
  }

  // The client went away: closed, reset, silent past the timeout, or (over TLS) gone without a
  // close_notify.
  static bool ended(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset || ec == beast::error::timeout ||
           ec == asio::ssl::error::stream_truncated;
  }

  RequestContext context() {
    RequestContext context;
    beast::error_code peer_ec;
    auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(peer_ec);
    if (!peer_ec) context.remote_address = endpoint.address().to_string();
    context.client_certificate = client_certificate_;
    return context;
  }

  // Answered from the header alone, then closed: the rest of the body is unread, and where it
  // ends may not be known.
  void refuse_unread(Problem problem) {
    keep_alive_ = false;
    beast::get_lowest_layer(stream_).expires_never();
    Request header_only = parser_->release();
    header_only.body().clear();
    version_ = header_only.version() == 10 ? 10 : 11;
    ++shared_->drain->in_flight;
    shared_->on_unread(header_only, std::move(problem), context(), make_reply());
  }

  Reply make_reply() {
    auto self = this->shared_from_this();
    return [self](Response response) {
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->write(std::move(response)); });
    };
  }

  void write(Response response) {
    response.version(version_);
    response.keep_alive(keep_alive_ && response.keep_alive() && !shared_->drain->draining.load());
    response.prepare_payload();
    response_ = std::make_shared<Response>(std::move(response));
    beast::get_lowest_layer(stream_).expires_after(shared_->options.request_timeout);
    bhttp::async_write(stream_, *response_, beast::bind_front_handler(&Session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    bool keep = response_ && response_->keep_alive();
    response_.reset();
    // Answered only once written (or failed to be): a drain waits for the bytes, not the handler.
    --shared_->drain->in_flight;
    if (ec) return close_now();
    if (!keep) return close();
    read();
  }

  // The gateway ends the connection: over TLS with a close_notify, so the client can tell the
  // end of the answer from a cut connection.
  void close() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(kTlsShutdownTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close_now(); });
    } else {
      close_now();
    }
  }

  void close_now() {
    auto& lowest = beast::get_lowest_layer(stream_);
    beast::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest.close();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<const Shared> shared_;
  ConnectionSlot slot_;
  std::shared_ptr<const tls::PeerCertificate> client_certificate_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Response> response_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

std::optional<std::uint64_t> descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return std::nullopt;
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

// A refused accept (EMFILE, ENFILE, ENOBUFS, ENOMEM) is retried after this pause, doubled at each
// further refusal up to the bound: the pending connections stay in the listen backlog meanwhile,
// and retrying at once would spin a core without freeing a descriptor.
constexpr std::chrono::milliseconds kFirstAcceptPause{10};
constexpr std::chrono::milliseconds kLongestAcceptPause{1000};
// Accepting is logged as recovered once it has gone this long without a refusal: a descriptor
// freed now and then lets one connection through, and that is no recovery worth a log line each.
constexpr std::chrono::milliseconds kRecoveredAfter{1000};

}  // namespace

struct Server::Drain : DrainState {};

std::size_t effective_connection_limit(std::size_t configured, std::optional<std::uint64_t> descriptor_limit) {
  if (!descriptor_limit) return configured;
  const std::uint64_t reserved = std::max<std::uint64_t>(32, *descriptor_limit / 4);
  const std::uint64_t room = *descriptor_limit > reserved ? *descriptor_limit - reserved : 1;
  return static_cast<std::size_t>(std::min<std::uint64_t>(configured, room));
}

class Server::Listener : public std::enable_shared_from_this<Server::Listener> {
 public:
  Listener(asio::io_context& io, std::shared_ptr<const Shared> shared, ConnectionStats& stats)
      : io_(io),
        acceptor_(asio::make_strand(io)),
        pause_(acceptor_.get_executor()),
        shared_(std::move(shared)),
        stats_(stats),
        limit_(effective_connection_limit(shared_->options.max_connections, descriptor_limit())),
        // Back below the limit is logged only once half of it is free again, so a house kept full
        // by one client after another logs its start and its end, not every connection between.
        clear_below_(limit_ / 2) {
    stats_.limit = static_cast<std::int64_t>(limit_);
  }

  unsigned short open() {
    tcp::endpoint endpoint(asio::ip::make_address(shared_->options.host), shared_->options.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    const auto descriptors = descriptor_limit();
    log::info("http.connection_limit",
              {{"configured", shared_->options.max_connections},
               {"limit", limit_},
               {"descriptor_limit", descriptors ? nlohmann::json(*descriptors) : nlohmann::json()}});
    return acceptor_.local_endpoint().port();
  }

  // On the acceptor's strand.
  void accept() {
    if (!acceptor_.is_open() || pausing_at_limit()) return;
    acceptor_.async_accept(asio::make_strand(io_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void stop() {
    stopped_ = true;
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
      self->pause_.cancel();
    });
  }

 private:
  // At the limit the listener stops accepting until a connection closes (connection_closed).
  bool pausing_at_limit() {
    if (stats_.open.load() < static_cast<std::int64_t>(limit_)) return false;
    paused_ = true;
    // A connection may have closed between the count and the flag, and found no pause to end.
    if (stats_.open.load() < static_cast<std::int64_t>(limit_)) return !paused_.exchange(false);
    ++stats_.limit_reached_total;
    if (!saturated_.exchange(true)) log::warn("http.connection_limit_reached", {{"limit", limit_}});
    return true;
  }

  // From any thread, as a session ends.
  void connection_closed() {
    const auto open = --stats_.open;
    if (open <= static_cast<std::int64_t>(clear_below_) && saturated_.exchange(false)) {
      log::info("http.connection_limit_cleared", {{"open", open}, {"limit", limit_}});
    }
    if (paused_.exchange(false) && !stopped_) {
      asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
    }
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    // Accepted while stop() was on its way to closing the acceptor: a stopping gateway finishes
    // the connections it had, and takes no new one, however the two raced.
    if (stopped_) return;
    if (ec) return accept_failed(ec);
    if (failures_ > 0 && std::chrono::steady_clock::now() - last_failure_ >= kRecoveredAfter) {
      log::info("http.accept_recovered", {{"failures", failures_}});
      failures_ = 0;
    }
    // Answers are written as header and body; without TCP_NODELAY the second write can wait
    // for the client's delayed ACK (40 ms on Linux).
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    ++stats_.open;
    auto release = [self = shared_from_this()] { self->connection_closed(); };
    if (shared_->options.tls) {
      std::make_shared<Session<TlsStream>>(std::move(socket), shared_->options.tls->current(), shared_,
                                           std::move(release))
          ->run();
    } else {
      std::make_shared<Session<PlainStream>>(std::move(socket), nullptr, shared_, std::move(release))->run();
    }
    accept();
  }

  void accept_failed(const beast::error_code& ec) {
    ++stats_.accept_errors_total;
    // The client left before it was accepted: nothing is short, the next one can come at once.
    if (ec == asio::error::connection_aborted) return accept();
    last_failure_ = std::chrono::steady_clock::now();
    if (failures_++ == 0) {
      log::warn("http.accept_failing", {{"error", ec.message()}, {"open", stats_.open.load()}});
      pause_for_ = kFirstAcceptPause;
    } else {
      pause_for_ = std::min(pause_for_ * 2, kLongestAcceptPause);
    }
    pause_.expires_after(pause_for_);
    pause_.async_wait([self = shared_from_this()](beast::error_code waited) {
      if (!waited) self->accept();
    });
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  asio::steady_timer pause_;
  std::shared_ptr<const Shared> shared_;
  ConnectionStats& stats_;
  const std::size_t limit_;
  const std::size_t clear_below_;
  std::atomic<bool> paused_{false};
  std::atomic<bool> saturated_{false};
  std::atomic<bool> stopped_{false};
  // Accepts refused since accepting last worked for kRecoveredAfter, the last refusal, and the
  // pause before the next try (on the acceptor's strand).
  std::uint64_t failures_ = 0;
  std::chrono::steady_clock::time_point last_failure_;
  std::chrono::milliseconds pause_for_{kFirstAcceptPause};
};

Server::Server(asio::io_context& io, ServerOptions options, RequestHandler handler, UnreadRefusalHandler on_unread,
               ConnectionStats& stats)
    : drain_(std::make_shared<Drain>()),
      listener_(std::make_shared<Listener>(io,
                                           std::make_shared<const Shared>(Shared{std::move(options), std::move(handler),
                                                                                 std::move(on_unread), drain_, &stats}),
                                           stats)) {}

// Sessions can outlive the server (until the event loop drops them); they then must not wake it.
Server::~Server() {
  listener_->stop();
}

unsigned short Server::start() {
  unsigned short port = listener_->open();
  listener_->accept();
  return port;
}

void Server::stop() {
  listener_->stop();
}

void Server::drain() {
  drain_->draining = true;
  listener_->stop();
}

std::int64_t Server::in_flight() const {
  return drain_->in_flight.load();
}

}  // namespace knutpunkt::http
