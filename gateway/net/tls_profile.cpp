#include "net/tls_profile.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

namespace knutpunkt::net {

namespace asio = boost::asio;

namespace {

std::string subject_of(X509* certificate) {
  char line[512];
  X509_NAME_oneline(X509_get_subject_name(certificate), line, sizeof line);
  return line;
}

std::chrono::system_clock::time_point not_after_of(X509* certificate) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// The key's password, read at each (re)load so a renewed key may come with a new password.
std::expected<std::string, std::string> key_password(const TlsSettings& settings) {
  if (!settings.key_password_file.empty()) {
    std::ifstream in(settings.key_password_file);
    if (!in) return std::unexpected(settings.key_password_file.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    std::string password = text.str();
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    return password;
  }
  if (!settings.key_password_env.empty()) {
    const char* value = std::getenv(settings.key_password_env.c_str());
    if (value == nullptr)
      return std::unexpected("the environment variable " + settings.key_password_env + " is not set");
    return std::string(value);
  }
  return std::string();
}

std::string failure(const std::filesystem::path& file, const std::string& what, boost::system::error_code ec) {
  return file.string() + ": " + what + " (" + ec.message() + ")";
}

}  // namespace

struct TlsProfile::Loaded {
  std::shared_ptr<asio::ssl::context> context;
  std::vector<CertificateValidity> certificates;
};

std::expected<TlsProfile::Loaded, std::string> TlsProfile::build(const TlsSettings& settings) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  // TLS 1.0 and 1.1 are broken and no partner may ask for them.
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  boost::system::error_code ec;
  context->set_verify_mode(asio::ssl::verify_peer, ec);
  // Only the configured bundle: no set_default_verify_paths, so the system's public CAs vouch for nobody.
  context->load_verify_file(settings.ca_file.string(), ec);
  if (ec) return std::unexpected(failure(settings.ca_file, "is not a readable PEM CA bundle", ec));
  Loaded out;
  if (!settings.certificate.empty()) {
    context->use_certificate_chain_file(settings.certificate.string(), ec);
    if (ec) return std::unexpected(failure(settings.certificate, "is not a readable PEM certificate chain", ec));
    auto password = key_password(settings);
    if (!password) return std::unexpected(password.error());
    context->set_password_callback(
        [password = std::move(*password)](std::size_t, asio::ssl::context::password_purpose) { return password; }, ec);
    context->use_private_key_file(settings.key.string(), asio::ssl::context::pem, ec);
    if (ec) return std::unexpected(failure(settings.key, "is not a readable PEM key, or its password is wrong", ec));
    if (SSL_CTX_check_private_key(ctx) != 1) {
      ERR_clear_error();
      return std::unexpected(settings.key.string() + ": is not the key of " + settings.certificate.string());
    }
    // The password is needed only while loading; replacing the callback frees the copy it held.
    context->set_password_callback([](std::size_t, asio::ssl::context::password_purpose) { return std::string(); }, ec);
    if (X509* leaf = SSL_CTX_get0_certificate(ctx)) {
      out.certificates.push_back({"client", subject_of(leaf), not_after_of(leaf)});
    }
  }
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx));
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    if (X509* ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i))) {
      out.certificates.push_back({"ca", subject_of(ca), not_after_of(ca)});
    }
  }
  out.context = std::move(context);
  return out;
}

std::expected<std::shared_ptr<TlsProfile>, std::string> TlsProfile::load(std::string name, TlsSettings settings) {
  auto profile = std::make_shared<TlsProfile>(std::move(name), std::move(settings));
  if (auto loaded = profile->reload(); !loaded) return std::unexpected(loaded.error());
  return profile;
}

TlsProfile::TlsProfile(std::string name, TlsSettings settings)
    : name_(std::move(name)), settings_(std::move(settings)) {}

std::expected<void, std::string> TlsProfile::reload() {
  auto loaded = build(settings_);
  if (!loaded) return std::unexpected(loaded.error());
  std::lock_guard lock(mutex_);
  context_ = std::move(loaded->context);
  certificates_ = std::move(loaded->certificates);
  sessions_.clear();
  return {};
}

std::shared_ptr<asio::ssl::context> TlsProfile::context() const {
  std::lock_guard lock(mutex_);
  return context_;
}

std::vector<CertificateValidity> TlsProfile::certificates() const {
  std::lock_guard lock(mutex_);
  return certificates_;
}

void TlsProfile::offer_session(const std::string& destination, SSL* ssl) const {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(destination);
  if (it != sessions_.end()) SSL_set_session(ssl, it->second.get());
}

void TlsProfile::keep_session(const std::string& destination, SSL* ssl) {
  SSL_SESSION* current = SSL_get0_session(ssl);
  if (current == nullptr || SSL_SESSION_is_resumable(current) != 1) return;
  // A copy: OpenSSL marks the connection's own session unresumable when the connection is closed
  // without a TLS close_notify, which is how idle pooled connections are closed.
  std::shared_ptr<SSL_SESSION> session(SSL_SESSION_dup(current), SSL_SESSION_free);
  if (!session) return;
  std::lock_guard lock(mutex_);
  // A session of a context replaced by reload() is not kept: it carries the old certificate.
  if (SSL_get_SSL_CTX(ssl) != context_->native_handle()) return;
  sessions_[destination] = std::move(session);
}

}  // namespace knutpunkt::net
