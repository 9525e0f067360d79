#pragma once
// The HTTP/1.1 server on Boost.Beast: one session per connection, read → handle → write, with a
// timeout on every stream operation (after Beast's advanced server example). The server knows
// nothing of routes: it hands each parsed request to a handler and writes whatever comes back,
// from whichever thread the handler answers on.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace knutpunkt::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Boost 1.74's Beast has its own string_view; the rest of the code speaks std::string_view.
inline std::string_view to_std(boost::beast::string_view view) { return {view.data(), view.size()}; }

struct RequestContext {
  std::string remote_address;  // peer IP, for the audit record of a refused request
};

using Reply = std::function<void(Response)>;
// Called for every complete request. Must call `reply` exactly once, from any thread.
using RequestHandler = std::function<void(Request&&, const RequestContext&, Reply)>;
// Called when a request is refused before it could be handled (the body over the limit), so the
// refusal can be audited like any other. Must call `reply` exactly once.
using OversizeHandler = std::function<void(const Request& header_only, const RequestContext&, Reply)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds request_timeout{15000};
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, RequestHandler handler, OversizeHandler on_oversize);
  ~Server();

  // Binds and starts accepting; returns the bound port (useful when options.port is 0).
  unsigned short start();
  void stop();

 private:
  class Listener;
  std::shared_ptr<Listener> listener_;
};

}  // namespace knutpunkt::http
