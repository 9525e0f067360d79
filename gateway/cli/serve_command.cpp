#include "cli/serve_command.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "app/gateway.h"
#include "cli/option_map.h"
#include "config/gateway_config.h"
#include "core/clock.h"
#include "log/log.h"

namespace knutpunkt::cli {

namespace {

std::optional<log::Level> parse_level(const std::string& text) {
  if (text == "debug") return log::Level::debug;
  if (text == "info") return log::Level::info;
  if (text == "warn") return log::Level::warn;
  if (text == "error") return log::Level::error;
  return std::nullopt;
}

// Written via rename so a reader polling for the file never sees it half-written.
bool write_port_file(const std::string& path, unsigned short port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

#ifdef KNUTPUNKT_MOVABLE_TIME_LIMIT_CLOCK
// Only in the test build of the command line (tests/integration, knutpunkt-moved-clock), never in
// the installed binary: --clock-file names a file holding one UTC instant, read at every round, at
// which the referral time limits and attendance months are judged, so a test can move across a
// limit's or a month's boundary. Until the file holds a readable instant, the system clock.
app::Gateway::Clock clock_from_file(const std::string& path) {
  return [path] {
    std::ifstream in(path);
    std::string text;
    in >> text;
    const auto at = parse_utc(text);
    return at ? *at : std::chrono::system_clock::now();
  };
}
#endif

int serve(const std::map<std::string, std::string>& options) {
  auto config = load_config(options.at("config"));
  if (!config) {
    std::cerr << "knutpunkt: invalid configuration at " << (config.error().field.empty() ? "/" : config.error().field)
              << ": " << config.error().message << "\n";
    return 2;
  }
  if (auto it = options.find("port"); it != options.end()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), port);
    if (ec != std::errc{} || end != it->second.data() + it->second.size() || port > 65535) {
      std::cerr << "knutpunkt: --port must be a number from 0 to 65535\n";
      return 2;
    }
    config->server.port = static_cast<unsigned short>(port);
  }
  if (auto it = options.find("db"); it != options.end()) config->store = StoreLocation{"sqlite", it->second, {}};
  if (auto it = options.find("log-file"); it != options.end()) config->log.file = it->second;
  if (auto it = options.find("log-level"); it != options.end()) config->log.level = it->second;
  auto level = parse_level(config->log.level);
  if (!level) {
    std::cerr << "knutpunkt: unknown log level " << config->log.level << "\n";
    return 2;
  }
  log::init(*level, config->log.file.string());
  const std::string host = config->server.host;
  const bool plain_http = config->server.plain_http;

  app::Gateway::Clock time_limit_clock;
#ifdef KNUTPUNKT_MOVABLE_TIME_LIMIT_CLOCK
  if (auto it = options.find("clock-file"); it != options.end()) time_limit_clock = clock_from_file(it->second);
#endif
  auto gateway = app::Gateway::open(std::move(*config), std::move(time_limit_clock));
  if (!gateway) {
    std::cerr << "knutpunkt: " << gateway.error().message << "\n";
    return gateway.error().exit_code;
  }
  auto port = (*gateway)->listen();
  if (!port) {
    std::cerr << "knutpunkt: " << port.error().message << "\n";
    return port.error().exit_code;
  }
  if (auto it = options.find("port-file"); it != options.end() && !write_port_file(it->second, *port)) {
    std::cerr << "knutpunkt: cannot write the port file\n";
    return 1;
  }
  log::info("gateway.listening", {{"host", host},
                                  {"port", *port},
                                  {"transport", plain_http ? "plain_http" : "tls"},
                                  {"adapters", (*gateway)->adapter_names()}});
  if (plain_http) log::warn("gateway.plain_http", {{"detail", "server.plain_http: nothing on this port is encrypted"}});
  (*gateway)->stop_on_signals();
  (*gateway)->run();
  log::info("gateway.stopped");
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, std::function<int()>& run) {
  auto* command = app.add_subcommand("serve", "Run the gateway until SIGTERM (drains) or SIGINT");
  auto options = std::make_shared<OptionMap>();
  options->add(*command, "config", "the configuration file (JSON); relative paths in it are from its folder")
      ->required();
  options->add(*command, "port", "listen on this port instead of the configured one (0: any free port)");
  options->add(*command, "port-file", "write the bound port to this file once listening");
  options->add(*command, "db", "the SQLite database instead of the configured one");
  options->add(*command, "log-file", "log to this file instead of the configured one");
  options->add(*command, "log-level", "debug, info, warn or error");
#ifdef KNUTPUNKT_MOVABLE_TIME_LIMIT_CLOCK
  options->add(*command, "clock-file", "TEST BUILD ONLY: a file with the UTC instant the time limits are judged at");
#endif
  command->callback([&run, command, options] { run = [command, options] { return serve(options->given(*command)); }; });
}

}  // namespace knutpunkt::cli
