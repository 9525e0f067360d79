#include "http/server.h"

#include "log/log.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>

namespace knutpunkt::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Shared {
  ServerOptions options;
  RequestHandler handler;
  OversizeHandler on_oversize;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<const Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {}

  void run() {
    // Start on the session's strand: everything this session does is serialised there.
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(shared_->options.max_body_bytes);
    stream_.expires_after(shared_->options.request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset || ec == beast::error::timeout) {
      return close();
    }
    RequestContext context;
    beast::error_code peer_ec;
    auto endpoint = stream_.socket().remote_endpoint(peer_ec);
    if (!peer_ec) context.remote_address = endpoint.address().to_string();

    if (ec == bhttp::error::body_limit) {
      // The header is complete; answer 413 and close, since the rest of the body is unread.
      keep_alive_ = false;
      Request header_only = parser_->release();
      header_only.body().clear();
      shared_->on_oversize(header_only, context, make_reply());
      return;
    }
    if (ec) {
      log::debug("http.read_failed", {{"error", ec.message()}});
      return close();
    }
    Request request = parser_->release();
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    stream_.expires_never();  // the handler has its own deadline; the reply write gets a fresh timeout
    shared_->handler(std::move(request), context, make_reply());
  }

  Reply make_reply() {
    auto self = shared_from_this();
    return [self](Response response) {
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->write(std::move(response));
      });
    };
  }

  void write(Response response) {
    response.version(version_);
    response.keep_alive(keep_alive_ && response.keep_alive());
    response.prepare_payload();
    response_ = std::make_shared<Response>(std::move(response));
    stream_.expires_after(shared_->options.request_timeout);
    bhttp::async_write(stream_, *response_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    bool keep = response_ && response_->keep_alive();
    response_.reset();
    if (ec || !keep) return close();
    read();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<const Shared> shared_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Response> response_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

}  // namespace

class Server::Listener : public std::enable_shared_from_this<Server::Listener> {
 public:
  Listener(asio::io_context& io, std::shared_ptr<const Shared> shared)
      : io_(io), acceptor_(asio::make_strand(io)), shared_(std::move(shared)) {}

  unsigned short open() {
    tcp::endpoint endpoint(asio::ip::make_address(shared_->options.host), shared_->options.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    return acceptor_.local_endpoint().port();
  }

  void accept() {
    acceptor_.async_accept(asio::make_strand(io_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      // Answers are written as header and body; without TCP_NODELAY the second write can wait
      // for the client's delayed ACK (40 ms on Linux).
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), shared_)->run();
    } else {
      log::warn("http.accept_failed", {{"error", ec.message()}});
    }
    if (acceptor_.is_open()) accept();
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<const Shared> shared_;
};

Server::Server(asio::io_context& io, ServerOptions options, RequestHandler handler, OversizeHandler on_oversize)
    : listener_(std::make_shared<Listener>(
          io, std::make_shared<const Shared>(Shared{std::move(options), std::move(handler), std::move(on_oversize)}))) {}

Server::~Server() = default;

unsigned short Server::start() {
  unsigned short port = listener_->open();
  listener_->accept();
  return port;
}

void Server::stop() { listener_->stop(); }

}  // namespace knutpunkt::http
