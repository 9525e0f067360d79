#include "tls/key_pair.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/private_file.h"
#include "tls/openssl_error.h"

namespace knutpunkt::tls {

namespace ssl = boost::asio::ssl;

void restrict_to_modern_tls(ssl::context& context) {
  SSL_CTX* native = context.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // Compression invites CRIME; renegotiation is not needed by anyone we talk to.
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Mozilla's "intermediate" list for TLS 1.2: ECDHE key exchange, AES-GCM or ChaCha20-Poly1305.
  SSL_CTX_set_cipher_list(native,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
}

std::expected<void, std::string> use_key_pair(ssl::context& context, const config::KeyPairFiles& files) {
  if (auto owner_only = require_owner_only(files.key); !owner_only) return std::unexpected(owner_only.error());
  boost::system::error_code ec;
  context.use_certificate_chain_file(files.certificate, ec);
  if (ec) return std::unexpected(files.certificate + ": cannot use the certificate chain: " + openssl_reason(ec));
  // The callback is asked only for an encrypted key; an empty password then fails the load.
  context.set_password_callback(
      [password = files.key_password](std::size_t, ssl::context::password_purpose) { return password; });
  context.use_private_key_file(files.key, ssl::context::pem, ec);
  if (ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) ec = {};
  if (ec) return std::unexpected(files.key + ": cannot use the private key: " + openssl_reason(ec));
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    ERR_clear_error();
    return std::unexpected(files.key + ": the private key does not belong to " + files.certificate);
  }
  return {};
}

}  // namespace knutpunkt::tls
