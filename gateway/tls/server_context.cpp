#include "tls/server_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls/key_pair.h"

namespace knutpunkt::tls {

namespace ssl = boost::asio::ssl;

namespace {

constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// A client that offers ALPN without http/1.1 (h2 only) is refused with no_application_protocol,
// as RFC 7301 asks, rather than answered in a protocol it did not offer.
int select_http11(SSL*, const unsigned char** out, unsigned char* out_size, const unsigned char* offered,
                  unsigned int offered_size, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_size, kHttp11, sizeof kHttp11, offered, offered_size) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::expected<std::shared_ptr<ssl::context>, std::string> build_server_context(const ServerTlsSettings& settings) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  restrict_to_modern_tls(*context);
  if (auto used = use_key_pair(*context, settings.identity); !used) return std::unexpected(used.error());
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_alpn_select_cb(native, select_http11, nullptr);
  if (!settings.client_ca_file.empty()) {
    boost::system::error_code ec;
    context->load_verify_file(settings.client_ca_file, ec);
    if (ec) return std::unexpected(settings.client_ca_file + ": cannot load the client CA bundle");
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(settings.client_ca_file.c_str());
    if (names == nullptr) {
      ERR_clear_error();
      return std::unexpected(settings.client_ca_file + ": holds no CA certificate");
    }
    SSL_CTX_set_client_CA_list(native, names);
    auto mode = ssl::verify_peer;
    if (settings.client_certificate_required) mode |= ssl::verify_fail_if_no_peer_cert;
    context->set_verify_mode(mode);
    // Resumed sessions carry the verified client certificate; OpenSSL refuses to resume them
    // without a session id context.
    static constexpr unsigned char kSessionContext[] = "knutpunkt";
    SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  }
  return context;
}

}  // namespace knutpunkt::tls
