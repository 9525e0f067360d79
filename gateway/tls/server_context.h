#pragma once
// The gateway's own TLS server context: its certificate chain and key, TLS 1.2 and 1.3 only,
// ALPN http/1.1, and, when client certificates are configured, the CA that issues them.
#include <boost/asio/ssl/context.hpp>
#include <expected>
#include <memory>
#include <string>

#include "config/tls_fields.h"

namespace knutpunkt::tls {

std::expected<std::shared_ptr<boost::asio::ssl::context>, std::string> build_server_context(
    const config::ServerTlsSettings& settings);

}  // namespace knutpunkt::tls
