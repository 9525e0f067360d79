#pragma once
// The HTTP/1.1 server on Boost.Beast: one session per connection, (TLS handshake →) read → handle →
// write, with a timeout on every stream operation (after Beast's advanced server examples). The server knows
// nothing of routes: it hands each parsed request to a handler and writes whatever comes back,
// from whichever thread the handler answers on.
//
// It serves at most `max_connections` clients at once. At the limit it stops accepting, so new
// connections wait in the kernel's listen backlog instead of taking descriptors, and it accepts
// again as soon as one closes. An accept the operating system refuses (out of descriptors or
// buffers) is retried after a growing pause, never at once.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/io_context_fwd.h"
#include "http/connection_stats.h"
#include "http/message.h"
#include "http/problem.h"
#include "tls/reloadable_context.h"

namespace knutpunkt::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds request_timeout{15000};
  std::size_t max_connections = 512;
  // TLS on every connection when set (the context current when a connection is accepted, so a
  // reload reaches new connections only); plain HTTP when null.
  std::shared_ptr<tls::ReloadableContext> tls;
};

// Called for a request refused from its header alone, before its body was read (a body over the
// limit, framing the gateway does not take), so the refusal can be audited like any other. The
// connection is closed after the answer. Must call `reply` exactly once.
using UnreadRefusalHandler = std::function<void(const Request& header_only, Problem, const RequestContext&, Reply)>;

// The connections served at once: the configured limit, but never more than the descriptor limit
// (`descriptor_limit`, RLIMIT_NOFILE's soft limit; nullopt when unlimited) leaves room for. Every
// connection holds a descriptor, and the gateway needs others besides: its store, its log, its
// own connections to partners and webhooks. A quarter of the descriptors (at least 32) is kept
// for those, so a full house of clients never makes accepting fail for want of a descriptor.
std::size_t effective_connection_limit(std::size_t configured, std::optional<std::uint64_t> descriptor_limit);

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, RequestHandler handler, UnreadRefusalHandler on_unread,
         ConnectionStats& stats);
  ~Server();

  // Binds and starts accepting; returns the bound port (useful when options.port is 0).
  unsigned short start();
  void stop();
  // Stops accepting and answers every request still to come with Connection: close, so a
  // keep-alive client does not start new work while the gateway is on its way down.
  void drain();
  // Requests read and not yet answered.
  std::int64_t in_flight() const;

 private:
  class Listener;
  struct Drain;
  std::shared_ptr<Drain> drain_;
  std::shared_ptr<Listener> listener_;
};

}  // namespace knutpunkt::http
