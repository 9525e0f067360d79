#include "command_line.h"

#include <algorithm>
#include <exception>
#include <iostream>

namespace knutpunkt::simulator_kit {

bool read_flags(int argc, char** argv, std::initializer_list<std::string_view> switches, const FlagReader& read) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") return false;
    const bool is_switch = std::ranges::find(switches, flag) != switches.end();
    if (!is_switch && i + 1 >= argc) {
      std::cerr << "missing value for " << flag << "\n";
      return false;
    }
    const std::string value = is_switch ? "" : argv[++i];
    try {
      if (!read(flag, value)) {
        std::cerr << "unknown flag " << flag << "\n";
        return false;
      }
    } catch (const std::exception&) {
      std::cerr << "bad value for " << flag << "\n";
      return false;
    }
  }
  return true;
}

bool read_listen_flag(Listen& listen, const std::string& flag, const std::string& value) {
  if (flag == "--host")
    listen.host = value;
  else if (flag == "--port")
    listen.port = std::stoi(value);
  else if (flag == "--port-file")
    listen.port_file = value;
  else if (flag == "--threads")
    listen.threads = static_cast<std::size_t>(std::stoul(value));
  else
    return false;
  return true;
}

bool read_gateway_flag(PartnerGateway& gateway, const std::string& flag, const std::string& value) {
  if (flag == "--gateway")
    gateway.url = value;
  else if (flag == "--gateway-token")
    gateway.token = value;
  else if (flag == "--adapter")
    gateway.adapter = value;
  else
    return false;
  return true;
}

int refuse_command_line(std::string_view usage) {
  std::cerr << usage;
  return 2;
}

bool usable(const Listen& listen) { return listen.port >= 0 && listen.port <= 65535 && listen.threads > 0; }

}  // namespace knutpunkt::simulator_kit
