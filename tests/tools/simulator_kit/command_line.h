#pragma once
// The command line of a simulator: "--flag value" pairs and a few value-less switches, among them
// the listening flags every simulator takes (--host, --port, --port-file, --threads).
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "callback_sender.h"
#include "serve.h"

namespace knutpunkt::simulator_kit {

// Takes one flag and its value (empty for a switch). False: the flag is unknown. A
// std::exception thrown means the value is bad.
using FlagReader = std::function<bool(const std::string& flag, const std::string& value)>;

// Reads argv[1..] through `read`. False on --help or -h, and, after saying why on stderr, on a flag
// without its value, an unknown flag or a bad value: the caller then prints its usage.
bool read_flags(int argc, char** argv, std::initializer_list<std::string_view> switches, const FlagReader& read);

// --host, --port, --port-file, --threads and the TLS a simulator serves (--tls-cert, --tls-key,
// --client-ca: files that must be readable) into `listen`; false for any other flag.
bool read_listen_flag(Listen& listen, const std::string& flag, const std::string& value);

// --gateway, --gateway-token, --adapter and the TLS towards an https gateway (--gateway-ca,
// --gateway-cert, --gateway-key: files that must be readable) into `gateway`; false for any other flag.
bool read_gateway_flag(PartnerGateway& gateway, const std::string& flag, const std::string& value);

// Prints `usage` on stderr and gives the exit code of a refused command line (2).
int refuse_command_line(std::string_view usage);

// A port that can be bound (0: ephemeral), at least one worker thread, and TLS flags that go
// together (a certificate with its key; a client CA only with them). Says why not on stderr.
bool usable(const Listen& listen);

// TLS flags that fit the gateway's URL (client_tls_problem). Says why not on stderr.
bool usable(const PartnerGateway& gateway);

}  // namespace knutpunkt::simulator_kit
