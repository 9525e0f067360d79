#pragma once
// The HTTP/1.1 server on Boost.Beast: one session per connection, read → handle → write, with a
// timeout on every stream operation (after Beast's advanced server example). The server knows
// nothing of routes: it hands each parsed request to a handler and writes whatever comes back,
// from whichever thread the handler answers on.
#include "core/io_context_fwd.h"
#include "http/message.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace knutpunkt::http {

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
