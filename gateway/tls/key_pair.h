#pragma once
// Puts a certificate chain and its private key into an OpenSSL context, after the checks a key
// deserves: a key file that others on the host can read is refused before it is opened (it would
// prove the municipality's identity for them too), and a key that does not belong to the
// certificate is refused at start instead of at the first handshake.
#include <boost/asio/ssl/context.hpp>
#include <expected>
#include <string>

#include "config/tls_fields.h"

namespace knutpunkt::tls {

std::expected<void, std::string> use_key_pair(boost::asio::ssl::context& context, const config::KeyPairFiles& files);

// Only TLS 1.2 and 1.3, TLS 1.2 only with forward-secret AEAD suites (TLS 1.3's are all such).
void restrict_to_modern_tls(boost::asio::ssl::context& context);

}  // namespace knutpunkt::tls
