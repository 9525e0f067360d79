#pragma once
// The gateway as one object. It builds every part from the configuration in dependency order, so
// lifetimes follow from construction (each part is destroyed before what it was built from), and
// it wires the rules that cross services as registrations next to the parts they join:
//   - which service settles a delivered or dead-lettered message (by message type),
//   - which service withdraws a consent for a partner that needs more than the registry does,
//   - the periodic jobs (SIP reminders, audit retention).
// main() only reads options, builds a Gateway, and runs it until a signal stops it.
#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "config/gateway_config.h"

namespace knutpunkt::app {

struct StartError {
  int exit_code = 1;  // 2: the configuration is wrong; 1: the machine is (store, port)
  std::string message;
};

class Gateway {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Opens the store and the audit log, builds the adapters and every service, and loads what the
  // outbox owes, so that new messages always queue behind older ones. Nothing listens yet.
  // `time_limit_clock`: the time referral time limits and attendance months are judged at;
  // empty: the system clock (only a test build of the command line sets another, see
  // cli/serve_command.cpp).
  static std::expected<std::unique_ptr<Gateway>, StartError> open(GatewayConfig config, Clock time_limit_clock = {});

  // Commits what the audit log still holds while everything it calls back into is alive.
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Binds the server and starts the periodic jobs; returns the bound port (config port 0: any).
  std::expected<unsigned short, StartError> listen();
  // Runs the server's threads until stop(); returns once they have finished.
  void run();
  // Stops accepting, stops the jobs and the delivery engine, and lets run() return. From any thread.
  void stop();
  // SIGTERM and SIGINT drain, then stop (a second one stops at once); SIGHUP reloads the TLS
  // certificates and keys, and the gateway serves on.
  void stop_on_signals();

  // The lookup adapters' names, for the start-up log line.
  std::vector<std::string> adapter_names() const;

 private:
  struct Infrastructure;
  struct Services;

  Gateway(GatewayConfig config, Clock time_limit_clock);
  void wait_for_reload();
  void reload_certificates();
  void drain_then_stop(std::chrono::steady_clock::time_point deadline);

  GatewayConfig config_;
  Clock time_limit_clock_;
  std::unique_ptr<Infrastructure> infrastructure_;
  std::unique_ptr<Services> services_;
};

}  // namespace knutpunkt::app
