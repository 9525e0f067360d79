#include "store/postgres/connection_string.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

namespace knutpunkt::postgres {
namespace {

struct OptionsFree {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

bool loopback(std::string_view host) {
  // An empty host means libpq's default socket folder; a leading slash names another one.
  return host.empty() || host.front() == '/' || host == "localhost" || host == "127.0.0.1" || host == "::1";
}

// libpq takes several hosts separated by commas (tried in turn); each must be local.
bool all_loopback(std::string_view hosts) {
  for (;;) {
    const auto comma = hosts.find(',');
    if (!loopback(hosts.substr(0, comma))) return false;
    if (comma == std::string_view::npos) return true;
    hosts.remove_prefix(comma + 1);
  }
}

}  // namespace

std::expected<ConnectionFacts, std::string> inspect_connection_string(std::string_view connection) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, OptionsFree> options(PQconninfoParse(std::string(connection).c_str(), &error));
  if (!options) {
    std::string message = error != nullptr ? error : "cannot be parsed";
    PQfreemem(error);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return std::unexpected(message);
  }
  std::optional<std::string> host;
  std::optional<std::string> hostaddr;
  std::optional<std::string> sslmode;
  ConnectionFacts facts;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view keyword = o->keyword;
    const std::string_view value = o->val;
    if (keyword == "password" && !value.empty()) facts.has_password = true;
    if (keyword == "sslmode") sslmode = value;
    if (keyword == "host") host = value;
    if (keyword == "hostaddr") hostaddr = value;
  }
  // What the string leaves out, libpq takes from the environment (PGHOST, PGSSLMODE, ...): judge
  // what will actually be used.
  const auto from_env = [](std::optional<std::string>& field, const char* name) {
    if (const char* v = std::getenv(name); !field && v != nullptr) field = v;
  };
  from_env(host, "PGHOST");
  from_env(hostaddr, "PGHOSTADDR");
  from_env(sslmode, "PGSSLMODE");
  facts.verified_tls = sslmode == "verify-ca" || sslmode == "verify-full";
  // hostaddr, when given, is where libpq actually connects; host then only names the server.
  facts.local_only = hostaddr ? all_loopback(*hostaddr) : all_loopback(host.value_or(""));
  return facts;
}

}  // namespace knutpunkt::postgres
