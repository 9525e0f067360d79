#pragma once
#include <httplib.h>

#include <functional>
#include <optional>
#include <string>

#include "stop_signal.h"
#include "tls.h"

namespace knutpunkt::simulator_kit {

struct Listen {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port, reported on stdout and in port_file
  std::optional<std::string> port_file;
  std::size_t threads = 16;
  ServerTls tls;  // no certificate: plain HTTP
};

// Blocks SIGINT/SIGTERM (and ignores SIGPIPE) in the calling thread and every thread it starts
// afterwards; call it first in main when threads start before serve(). serve() calls it too.
void block_stop_signals();

// Applies the settings every simulator needs under load, binds, writes the port file, prints
// {"event":"listening","port":N} on stdout and serves until SIGINT/SIGTERM. `on_stop` runs
// before the server stops (e.g. to stop background senders). Returns the process exit code.
// `server` is what make_server(listen.tls) made: plain HTTP or HTTPS only.
int serve(httplib::Server& server, const Listen& listen, StopSignal& stop, const std::function<void()>& on_stop = {});

}  // namespace knutpunkt::simulator_kit
