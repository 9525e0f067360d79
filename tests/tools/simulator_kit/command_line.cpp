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
  else if (flag == "--tls-cert")
    require_readable_file(listen.tls.certificate = value);
  else if (flag == "--tls-key")
    require_readable_file(listen.tls.key = value);
  else if (flag == "--client-ca")
    require_readable_file(listen.tls.client_ca = value);
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
  else if (flag == "--gateway-ca")
    require_readable_file(gateway.tls.ca = value);
  else if (flag == "--gateway-cert")
    require_readable_file(gateway.tls.certificate = value);
  else if (flag == "--gateway-key")
    require_readable_file(gateway.tls.key = value);
  else
    return false;
  return true;
}

int refuse_command_line(std::string_view usage) {
  std::cerr << usage;
  return 2;
}

bool usable(const Listen& listen) {
  const auto& tls = listen.tls;
  if (tls.certificate.empty() != tls.key.empty()) {
    std::cerr << "--tls-cert and --tls-key go together\n";
    return false;
  }
  if (!tls.client_ca.empty() && !tls.enabled()) {
    std::cerr << "--client-ca needs --tls-cert and --tls-key\n";
    return false;
  }
  return listen.port >= 0 && listen.port <= 65535 && listen.threads > 0;
}

bool usable(const PartnerGateway& gateway) {
  const auto problem = client_tls_problem(gateway.url, gateway.tls);
  if (!problem.empty()) std::cerr << problem << "\n";
  return problem.empty();
}

}  // namespace knutpunkt::simulator_kit
