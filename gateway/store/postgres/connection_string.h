#pragma once
// What a libpq connection string says, read by libpq itself (key=value or postgresql:// URI), so
// configuration can refuse what must not be there before anything connects.
#include <expected>
#include <string>
#include <string_view>

namespace knutpunkt::postgres {

struct ConnectionFacts {
  bool has_password = false;  // a password written into the string itself
  // sslmode verify-ca or verify-full: the server is authenticated and the link encrypted.
  bool verified_tls = false;
  // Every host is a Unix-domain socket folder or a loopback address: the data never leaves the machine.
  bool local_only = false;
};

// The facts, or libpq's own description of why the string does not parse.
std::expected<ConnectionFacts, std::string> inspect_connection_string(std::string_view connection);

}  // namespace knutpunkt::postgres
