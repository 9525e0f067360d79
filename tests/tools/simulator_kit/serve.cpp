#include "serve.h"

#include <pthread.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "port_file.h"

namespace knutpunkt::simulator_kit {

namespace {

sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

}  // namespace

void block_stop_signals() {
  // SIGINT/SIGTERM are taken by one thread with sigwait, so shutdown runs outside signal context;
  // threads inherit the mask, so this must happen before any other thread starts.
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer that resets (or our own abort_connection) must not kill us on the next write.
  std::signal(SIGPIPE, SIG_IGN);
}

int serve(httplib::Server& server, const Listen& listen, StopSignal& stop, const std::function<void()>& on_stop) {
  block_stop_signals();
  const sigset_t signals = stop_signals();

  const std::size_t threads = listen.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(1 << 20);
  // cpp-httplib closes a kept-alive connection after 5 requests by default: the gateway's
  // reconnect bursts then overflow the listen backlog and each dropped SYN costs a 1 s retransmit.
  server.set_keep_alive_max_count(10000);
  // Replies may leave in more than one write; Nagle would hold the last one for the client's
  // delayed ACK and add 40 ms to every exchange.
  server.set_tcp_nodelay(true);

  int port = listen.port;
  if (port == 0) {
    port = server.bind_to_any_port(listen.host);
    if (port < 0) port = 0;
  } else if (!server.bind_to_port(listen.host, port)) {
    port = 0;
  }
  if (port == 0) {
    std::cerr << "cannot bind " << listen.host << ":" << listen.port << "\n";
    return 1;
  }
  if (listen.port_file && !write_port_file(*listen.port_file, port)) {
    std::cerr << "cannot write port file " << *listen.port_file << "\n";
    return 1;
  }
  std::cout << nlohmann::json{{"event", "listening"}, {"port", port}}.dump() << std::endl;
  std::cerr << "listening on " << (listen.tls.enabled() ? "https://" : "http://") << listen.host << ":" << port
            << " threads=" << threads << std::endl;

  std::atomic<bool> served{false};
  std::thread signal_waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    if (!served) std::cerr << "signal " << received << " received, shutting down" << std::endl;
    stop.request();
    if (on_stop) on_stop();
    server.stop();
  });
  const bool listened = server.listen_after_bind();
  served = true;
  // If the server stopped on its own, wake the signal thread so it can be joined.
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();
  std::cerr << "stopped" << std::endl;
  return listened ? 0 : 1;
}

}  // namespace knutpunkt::simulator_kit
