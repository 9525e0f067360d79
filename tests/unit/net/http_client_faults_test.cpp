// Transport faults as the partner's network shows them, on real loopback sockets: a refused or
// reset connection is reported at once with its own kind, not as a timeout at the deadline; a
// stale kept-alive connection is retried once, and only for a request that is safe to repeat.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "net/http_client.h"

namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using knutpunkt::net::HttpClient;
using knutpunkt::net::HttpRequest;
using knutpunkt::net::HttpResult;
using knutpunkt::net::TransportErrorKind;

// The deadline partners get (the lookup's source timeout), and the bound a fault must beat: a
// refusal or a reset is known at once, so anything near the deadline means it waited for it.
constexpr auto kDeadline = 3s;
constexpr auto kPromptly = 1s;

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  return addr;
}

// A port on 127.0.0.1 with nothing listening: bound to learn a free number, then closed.
int refusing_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket");
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("bind");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// What the server does on one connection once it has answered its share of requests.
enum class Ending {
  keep_answering,     // answer every request, keep-alive
  reset_at_once,      // RST before reading anything
  reset_on_request,   // read the next request, then RST instead of answering
  close_on_request,   // read the next request, then FIN without answering
  reset_mid_answer,   // read the next request, send the head and part of the body, then RST
  silent_on_request,  // read the next request, then stay silent until the client gives up
  close_when_idle,    // close the idle connection, as a server's keep-alive timeout does
};

struct Conduct {
  int answers = 0;  // requests answered (kept alive) before the ending
  Ending then = Ending::keep_answering;
};

// An HTTP/1.1 server on 127.0.0.1 that misbehaves as scripted, a thread per connection, and counts
// what it saw. The n-th connection follows the n-th conduct; the last one applies to any later.
class FaultServer {
 public:
  explicit FaultServer(std::vector<Conduct> script) : script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof addr;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        ::pipe(stop_) != 0) {
      throw std::runtime_error("listen");
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_connections(); });
  }
  ~FaultServer() {
    const char byte = 0;
    (void)!::write(stop_[1], &byte, 1);
    acceptor_.join();
    for (auto& worker : workers_) worker.join();
    ::close(listener_);
    ::close(stop_[0]);
    ::close(stop_[1]);
  }
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  std::string url(const std::string& host = "127.0.0.1") const {
    return "http://" + host + ":" + std::to_string(port_) + "/lookup";
  }
  int connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  int requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  // Waits until the server has closed `count` connections (for close_when_idle: until the client's
  // side has acknowledged the close); false if that takes implausibly long.
  bool await_closed(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return closed_ >= count; });
  }

 private:
  void accept_connections() {
    while (await_readable(listener_)) {
      const int conn = ::accept(listener_, nullptr, nullptr);
      if (conn < 0) continue;
      std::lock_guard lock(mutex_);
      const Conduct conduct = script_[std::min<std::size_t>(connections_, script_.size() - 1)];
      ++connections_;
      workers_.emplace_back([this, conn, conduct] {
        serve(conn, conduct);
        {
          std::lock_guard closed_lock(mutex_);
          ++closed_;
        }
        changed_.notify_all();
      });
    }
  }

  void serve(int conn, Conduct conduct) {
    if (conduct.then == Ending::reset_at_once) return reset(conn);
    for (int answered = 0; conduct.then == Ending::keep_answering || answered < conduct.answers; ++answered) {
      if (read_request(conn) != Read::request || !answer(conn)) return (void)::close(conn);
    }
    switch (conduct.then) {
      case Ending::keep_answering:
      case Ending::reset_at_once:
        break;
      case Ending::reset_on_request:
        (void)read_request(conn);
        return reset(conn);
      case Ending::close_on_request:
        (void)read_request(conn);
        break;
      case Ending::reset_mid_answer: {
        constexpr std::string_view part = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok";
        if (read_request(conn) == Read::request) (void)::send(conn, part.data(), part.size(), MSG_NOSIGNAL);
        return reset(conn);
      }
      case Ending::silent_on_request:
        // Stays silent until the client closes (after its deadline) or the test ends.
        if (read_request(conn) == Read::request) (void)read_request(conn);
        break;
      case Ending::close_when_idle: {
        // A lingering close returns once the client's side has acknowledged the FIN, so the test
        // knows the client could see the connection is closed before it sends again.
        const linger wait_for_ack{1, 10};
        ::setsockopt(conn, SOL_SOCKET, SO_LINGER, &wait_for_ack, sizeof wait_for_ack);
        break;
      }
    }
    ::close(conn);
  }

  static void reset(int conn) {
    const linger abort{1, 0};
    ::setsockopt(conn, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    ::close(conn);
  }

  static bool answer(int conn) {
    constexpr std::string_view answer =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok";
    return ::send(conn, answer.data(), answer.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(answer.size());
  }

  enum class Read { request, closed, stopping };

  // Reads one request (head and Content-Length body) and counts it.
  Read read_request(int conn) {
    std::string data;
    std::size_t needed = std::string::npos;
    while (needed == std::string::npos || data.size() < needed) {
      if (!await_readable(conn)) return Read::stopping;
      char chunk[4096];
      const ssize_t got = ::recv(conn, chunk, sizeof chunk, 0);
      if (got <= 0) return Read::closed;
      data.append(chunk, static_cast<std::size_t>(got));
      const auto head_end = data.find("\r\n\r\n");
      if (needed == std::string::npos && head_end != std::string::npos) {
        std::size_t length = 0;
        const auto field = data.find("Content-Length: ");
        if (field != std::string::npos && field < head_end) {
          length = std::strtoul(data.c_str() + field + 16, nullptr, 10);
        }
        needed = head_end + 4 + length;
      }
    }
    std::lock_guard lock(mutex_);
    ++requests_;
    return Read::request;
  }

  // Waits until `fd` is readable; false when the server is being stopped instead.
  bool await_readable(int fd) const {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    while (::poll(fds, 2, -1) < 0) {
    }
    return (fds[1].revents & POLLIN) == 0;
  }

  std::vector<Conduct> script_;
  int listener_ = -1;
  int stop_[2] = {-1, -1};
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int connections_ = 0;
  int requests_ = 0;
  int closed_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> workers_;  // guarded by mutex_ while the acceptor runs
};

HttpRequest request_to(const std::string& url, bool safe_to_repeat = false) {
  HttpRequest request;
  request.url = *knutpunkt::net::parse_http_url(url);
  request.content_type = "application/json";
  request.body = R"({"question":"is there an open case?"})";
  request.safe_to_repeat = safe_to_repeat;
  return request;
}

struct Outcome {
  HttpResult result;
  SteadyClock::duration elapsed;
};

// Sends one request and runs the io_context until its answer; the pool keeps no pending work,
// so run() returns as soon as the exchange is done.
Outcome exchange(boost::asio::io_context& io, HttpClient& client, HttpRequest request,
                 SteadyClock::duration deadline = kDeadline) {
  std::optional<HttpResult> result;
  const auto started = SteadyClock::now();
  client.send(std::move(request), started + deadline, [&](HttpResult r) { result = std::move(r); });
  io.restart();
  io.run();
  REQUIRE(result.has_value());
  return Outcome{std::move(*result), SteadyClock::now() - started};
}

void require_failure(const Outcome& outcome, TransportErrorKind kind) {
  REQUIRE_FALSE(outcome.result.has_value());
  INFO("reported " << to_string(outcome.result.error().kind) << ": " << outcome.result.error().message);
  CHECK(outcome.result.error().kind == kind);
  CHECK(outcome.elapsed < kPromptly);
}

}  // namespace

TEST_CASE("a refused connection is reported connect_failed at once", "[net][faults]") {
  boost::asio::io_context io;
  HttpClient client(io);
  const int port = refusing_port();
  SECTION("by address") {
    require_failure(exchange(io, client, request_to("http://127.0.0.1:" + std::to_string(port) + "/lookup")),
                    TransportErrorKind::connect_failed);
  }
  SECTION("by a name that may resolve to several addresses") {
    require_failure(exchange(io, client, request_to("http://localhost:" + std::to_string(port) + "/lookup")),
                    TransportErrorKind::connect_failed);
  }
}

TEST_CASE("a connection reset before the request is read is reported connection_lost at once", "[net][faults]") {
  FaultServer server({{0, Ending::reset_at_once}});
  boost::asio::io_context io;
  HttpClient client(io);
  require_failure(exchange(io, client, request_to(server.url())), TransportErrorKind::connection_lost);
}

TEST_CASE("a connection reset instead of an answer is reported connection_lost at once", "[net][faults]") {
  FaultServer server({{0, Ending::reset_on_request}});
  boost::asio::io_context io;
  HttpClient client(io);
  SECTION("by address") {
    require_failure(exchange(io, client, request_to(server.url())), TransportErrorKind::connection_lost);
  }
  SECTION("by name") {
    require_failure(exchange(io, client, request_to(server.url("localhost"))), TransportErrorKind::connection_lost);
  }
  CHECK(server.requests() == 1);
}

TEST_CASE("a peer that closes without an answer is reported connection_lost at once", "[net][faults]") {
  FaultServer server({{0, Ending::close_on_request}});
  boost::asio::io_context io;
  HttpClient client(io);
  require_failure(exchange(io, client, request_to(server.url())), TransportErrorKind::connection_lost);
  CHECK(server.requests() == 1);
}

TEST_CASE("a partner that never answers is still reported timeout at the deadline", "[net][faults]") {
  FaultServer server({{0, Ending::silent_on_request}});
  boost::asio::io_context io;
  HttpClient client(io);
  const auto outcome = exchange(io, client, request_to(server.url()), 300ms);
  REQUIRE_FALSE(outcome.result.has_value());
  CHECK(outcome.result.error().kind == TransportErrorKind::timeout);
  CHECK(outcome.elapsed >= 300ms);
  CHECK(outcome.elapsed < 300ms + 5s);  // a timer fires late on a loaded machine, never this late
}

TEST_CASE("a pooled connection the partner closed while it was idle is not used", "[net][faults]") {
  // Nothing was sent on it, so even a request that may not be repeated goes out on a fresh one.
  FaultServer server({{1, Ending::close_when_idle}, {0, Ending::keep_answering}});
  boost::asio::io_context io;
  HttpClient client(io);
  REQUIRE(exchange(io, client, request_to(server.url())).result.has_value());
  REQUIRE(server.await_closed(1));
  const auto outcome = exchange(io, client, request_to(server.url()));
  INFO((outcome.result ? std::string() : outcome.result.error().message));
  REQUIRE(outcome.result.has_value());
  CHECK(outcome.result->body == "ok");
  CHECK(server.connections() == 2);
  CHECK(server.requests() == 2);
}

TEST_CASE("a pooled connection that fails under a request", "[net][faults]") {
  boost::asio::io_context io;
  HttpClient client(io);

  SECTION("is reported connection_lost at once, and not sent again, for a request that may not be repeated") {
    // The partner had the request when the connection died; it may have acted on it.
    FaultServer server({{1, Ending::reset_on_request}, {0, Ending::silent_on_request}});
    REQUIRE(exchange(io, client, request_to(server.url())).result.has_value());
    require_failure(exchange(io, client, request_to(server.url())), TransportErrorKind::connection_lost);
    CHECK(server.connections() == 1);
    CHECK(server.requests() == 2);
  }

  SECTION("is reported connection_lost at once when the partner closes it without an answer") {
    FaultServer server({{1, Ending::close_on_request}, {0, Ending::silent_on_request}});
    REQUIRE(exchange(io, client, request_to(server.url())).result.has_value());
    require_failure(exchange(io, client, request_to(server.url())), TransportErrorKind::connection_lost);
    CHECK(server.connections() == 1);
    CHECK(server.requests() == 2);
  }

  SECTION("is retried once on a fresh connection for a request that is safe to repeat") {
    FaultServer server({{1, Ending::reset_on_request}, {0, Ending::keep_answering}});
    REQUIRE(exchange(io, client, request_to(server.url(), true)).result.has_value());
    const auto outcome = exchange(io, client, request_to(server.url(), true));
    INFO((outcome.result ? std::string() : outcome.result.error().message));
    REQUIRE(outcome.result.has_value());
    CHECK(outcome.result->body == "ok");
    CHECK(server.connections() == 2);
    CHECK(server.requests() == 3);
  }

  SECTION("is retried only once, even when the fresh connection fails too") {
    FaultServer server({{1, Ending::reset_on_request}, {0, Ending::reset_on_request}});
    REQUIRE(exchange(io, client, request_to(server.url(), true)).result.has_value());
    require_failure(exchange(io, client, request_to(server.url(), true)), TransportErrorKind::connection_lost);
    CHECK(server.await_closed(2));
    CHECK(server.connections() == 2);
    CHECK(server.requests() == 3);
  }

  SECTION("is retried on a fresh connection, not on another pooled one that may fail too") {
    // Two requests in flight at once leave two kept-alive connections in the pool.
    FaultServer server({{1, Ending::reset_on_request}, {1, Ending::reset_on_request}, {0, Ending::keep_answering}});
    std::optional<HttpResult> first;
    std::optional<HttpResult> second;
    const auto deadline = SteadyClock::now() + kDeadline;
    client.send(request_to(server.url(), true), deadline, [&](HttpResult r) { first = std::move(r); });
    client.send(request_to(server.url(), true), deadline, [&](HttpResult r) { second = std::move(r); });
    io.run();
    REQUIRE((first && *first && second && *second));
    REQUIRE(server.connections() == 2);
    const auto outcome = exchange(io, client, request_to(server.url(), true));
    INFO((outcome.result ? std::string() : outcome.result.error().message));
    REQUIRE(outcome.result.has_value());
    CHECK(server.connections() == 3);
    CHECK(server.requests() == 4);
  }

  SECTION("is not retried once part of the answer has arrived, even for a request that is safe to repeat") {
    FaultServer server({{1, Ending::reset_mid_answer}, {0, Ending::keep_answering}});
    REQUIRE(exchange(io, client, request_to(server.url(), true)).result.has_value());
    require_failure(exchange(io, client, request_to(server.url(), true)), TransportErrorKind::connection_lost);
    CHECK(server.connections() == 1);
    CHECK(server.requests() == 2);
  }
}
