#pragma once
// Clients (case systems, partners, operators, auditors' machines) authenticate with a bearer
// token configured per client; only the token's SHA-256 is kept in configuration, and the
// comparison is constant-time. Console users authenticate with the bearer token of their
// sign-in session (identity/session_registry.h).
#include "config/gateway_config.h"
#include "identity/session_registry.h"

#include <optional>
#include <string_view>
#include <vector>

namespace knutpunkt::http {

class ClientAuth {
 public:
  explicit ClientAuth(std::vector<ClientConfig> clients, const identity::SessionRegistry* sessions = nullptr);

  // The client, or the signed-in user, whose token the Authorization header carries, if any.
  const ClientConfig* authenticate(std::string_view authorization_header) const;

  // The bearer token of an Authorization header ("" when there is none).
  static std::string_view bearer_token(std::string_view authorization_header);

 private:
  std::vector<ClientConfig> clients_;
  const identity::SessionRegistry* sessions_;
};

}  // namespace knutpunkt::http
