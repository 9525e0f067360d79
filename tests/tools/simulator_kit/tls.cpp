#include "tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace knutpunkt::simulator_kit {

namespace {

// OpenSSL's reason for the last failure, e.g. "no such file" or "key values mismatch".
std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown reason";
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : "unknown reason";
}

std::string configure_server(SSL_CTX& context, const ServerTls& tls) {
  // Partners accept nothing older than TLS 1.2; setting it here does not rely on the system's
  // openssl.cnf.
  if (SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION) != 1) return "cannot require TLS 1.2";
  SSL_CTX_set_options(&context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(&context, tls.certificate.c_str()) != 1)
    return "cannot use certificate " + tls.certificate + ": " + openssl_reason();
  if (SSL_CTX_use_PrivateKey_file(&context, tls.key.c_str(), SSL_FILETYPE_PEM) != 1)
    return "cannot use key " + tls.key + ": " + openssl_reason();
  if (SSL_CTX_check_private_key(&context) != 1)
    return "key " + tls.key + " does not belong to certificate " + tls.certificate;
  if (tls.client_ca.empty()) return {};
  if (SSL_CTX_load_verify_locations(&context, tls.client_ca.c_str(), nullptr) != 1)
    return "cannot use client CA " + tls.client_ca + ": " + openssl_reason();
  // Named in the CertificateRequest, so a client holding several certificates picks the right one.
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca.c_str());
  if (names == nullptr) return "no CA certificate in " + tls.client_ca;
  SSL_CTX_set_client_CA_list(&context, names);
  // Mutual TLS as the partners run it: no certificate, no connection.
  SSL_CTX_set_verify(&context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // Resumed sessions carry the verified client certificate; without a session id context OpenSSL
  // answers a client that resumes with an internal-error alert.
  static constexpr unsigned char kSessionContext[] = "knutpunkt-simulator";
  SSL_CTX_set_session_id_context(&context, kSessionContext, sizeof kSessionContext - 1);
  return {};
}

bool is_https(const std::string& url) {
  return url.starts_with("https://");
}

}  // namespace

std::expected<std::unique_ptr<httplib::Server>, std::string> make_server(const ServerTls& tls) {
  if (!tls.enabled()) return std::make_unique<httplib::Server>();
  std::string problem;
  auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& context) {
    problem = configure_server(context, tls);
    return problem.empty();
  });
  if (!server->is_valid()) return std::unexpected(problem.empty() ? "cannot set up TLS" : problem);
  return server;
}

httplib::Client make_client(const std::string& url, const ClientTls& tls) {
  httplib::Client client =
      tls.certificate.empty() ? httplib::Client(url) : httplib::Client(url, tls.certificate, tls.key);
  if (!is_https(url)) return client;
  client.enable_server_certificate_verification(true);
  // With a CA file cpp-httplib loads that file alone, never the system's trust store.
  if (!tls.ca.empty()) client.set_ca_cert_path(tls.ca);
  if (SSL_CTX* context = client.ssl_context(); context != nullptr)
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  return client;
}

std::string client_tls_problem(const std::string& url, const ClientTls& tls) {
  const bool any = !tls.ca.empty() || !tls.certificate.empty() || !tls.key.empty();
  if (!is_https(url)) return any ? "--gateway-ca, --gateway-cert and --gateway-key need an https --gateway" : "";
  if (tls.ca.empty()) return "an https --gateway needs --gateway-ca (the one CA its certificate is checked against)";
  if (tls.certificate.empty() != tls.key.empty()) return "--gateway-cert and --gateway-key go together";
  if (!make_client(url, tls).is_valid()) return "cannot use --gateway-cert with --gateway-key";
  return {};
}

void require_readable_file(const std::string& path) {
  if (!std::filesystem::is_regular_file(path) || !std::ifstream(path)) throw std::invalid_argument(path);
}

}  // namespace knutpunkt::simulator_kit
