#pragma once
// Clients (case systems, partners, operators, auditors' machines) authenticate with a bearer
// token configured per client, with the TLS client certificate they are bound to, or with both
// (config "authentication"). Only the token's SHA-256 is kept in configuration, and the comparison
// is constant-time. Console users authenticate with the bearer token of their sign-in session
// (identity/session_registry.h).
#include <optional>
#include <string_view>
#include <vector>

#include "config/gateway_config.h"
#include "identity/session_registry.h"
#include "tls/certificate_info.h"

namespace knutpunkt::http {

class ClientAuth {
 public:
  explicit ClientAuth(std::vector<ClientConfig> clients, const identity::SessionRegistry* sessions = nullptr);

  // The client, or the signed-in user, that the Authorization header and the connection's verified
  // client certificate (`peer`, null without one) prove, if any. A token names its client; a
  // client that also needs its certificate is proved only when the connection presented it. A
  // request without a token is the client its certificate alone authenticates.
  const ClientConfig* authenticate(std::string_view authorization_header,
                                   const tls::PeerCertificate* peer = nullptr) const;

  // The bearer token of an Authorization header ("" when there is none).
  static std::string_view bearer_token(std::string_view authorization_header);

 private:
  std::vector<ClientConfig> clients_;
  const identity::SessionRegistry* sessions_;
};

}  // namespace knutpunkt::http
