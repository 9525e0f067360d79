#pragma once
// Case systems authenticate with a bearer token configured per client. Only the token's SHA-256
// is kept in configuration, and the comparison is constant-time.
#include "config/gateway_config.h"

#include <optional>
#include <string_view>
#include <vector>

namespace knutpunkt::http {

class ClientAuth {
 public:
  explicit ClientAuth(std::vector<ClientConfig> clients);

  // The client whose token the Authorization header carries, if any.
  const ClientConfig* authenticate(std::string_view authorization_header) const;

 private:
  std::vector<ClientConfig> clients_;
};

}  // namespace knutpunkt::http
