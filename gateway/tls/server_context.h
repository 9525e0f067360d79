#pragma once
// The gateway's own TLS server context: its certificate chain and key, TLS 1.2 and 1.3 only,
// ALPN http/1.1, and, when client certificates are configured, the CA that issues them.
#include <boost/asio/ssl/context.hpp>
#include <expected>
#include <memory>
#include <string>

#include "config/tls_fields.h"

namespace knutpunkt::tls {

struct ServerTlsSettings {
  config::KeyPairFiles identity;
  // CA bundle that client certificates must chain to; empty: no client certificate is asked for.
  std::string client_ca_file;
  // Refuse the handshake without a client certificate (otherwise one is asked for, and a client
  // bound to a certificate is refused at the HTTP layer when it sends none).
  bool client_certificate_required = false;
};

std::expected<std::shared_ptr<boost::asio::ssl::context>, std::string> build_server_context(
    const ServerTlsSettings& settings);

}  // namespace knutpunkt::tls
