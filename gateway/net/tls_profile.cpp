#include "net/tls_profile.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <ctime>

#include "tls/key_pair.h"
#include "tls/openssl_error.h"
#include "tls/reloadable_context.h"

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

std::vector<CertificateValidity> certificates_in(SSL_CTX* ctx) {
  std::vector<CertificateValidity> out;
  if (X509* leaf = SSL_CTX_get0_certificate(ctx)) out.push_back({"client", subject_of(leaf), not_after_of(leaf)});
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx));
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    if (X509* ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i))) {
      out.push_back({"ca", subject_of(ca), not_after_of(ca)});
    }
  }
  return out;
}

}  // namespace

bool TlsSettings::operator==(const TlsSettings& other) const {
  return ca_file == other.ca_file && identity.certificate == other.identity.certificate &&
         identity.key == other.identity.key && identity.key_password == other.identity.key_password &&
         server_name == other.server_name;
}

std::expected<TlsProfile::Context, std::string> TlsProfile::build() {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  tls::restrict_to_modern_tls(*context);
  boost::system::error_code ec;
  context->set_verify_mode(asio::ssl::verify_peer, ec);
  // Only the configured bundle: no set_default_verify_paths, so the system's public CAs vouch for nobody.
  context->load_verify_file(settings_.ca_file.string(), ec);
  if (ec)
    return std::unexpected(settings_.ca_file.string() + ": not a readable PEM CA bundle: " + tls::openssl_reason(ec));
  if (has_client_certificate()) {
    if (auto used = tls::use_key_pair(*context, settings_.identity); !used) return std::unexpected(used.error());
  }
  std::lock_guard lock(mutex_);
  certificates_ = certificates_in(context->native_handle());
  return context;
}

std::expected<std::shared_ptr<TlsProfile>, std::string> TlsProfile::load(std::string name, TlsSettings settings) {
  auto profile = std::make_shared<TlsProfile>(std::move(name), std::move(settings));
  // The profile owns the reloadable context, which calls back into it; it never outlives the profile.
  auto reloadable = tls::ReloadableContext::create(
      profile->name_, [raw = profile.get()] { return raw->build(); }, profile->settings_.identity.certificate);
  if (!reloadable) return std::unexpected(reloadable.error());
  profile->reloadable_ = std::move(*reloadable);
  return profile;
}

TlsProfile::TlsProfile(std::string name, TlsSettings settings)
    : name_(std::move(name)), settings_(std::move(settings)) {}

std::expected<void, std::string> TlsProfile::reload() {
  if (auto reloaded = reloadable_->reload(); !reloaded) return reloaded;
  std::lock_guard lock(mutex_);
  sessions_.clear();
  return {};
}

std::shared_ptr<asio::ssl::context> TlsProfile::context() const {
  return reloadable_->current();
}

std::vector<CertificateValidity> TlsProfile::certificates() const {
  std::lock_guard lock(mutex_);
  return certificates_;
}

void TlsProfile::offer_session(const std::string& destination, SSL* ssl) const {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(destination);
  // A session made with a context since replaced carries the old certificate: not offered.
  if (it != sessions_.end() && it->second.context == SSL_get_SSL_CTX(ssl))
    SSL_set_session(ssl, it->second.session.get());
}

void TlsProfile::forget_session(const std::string& destination) {
  std::lock_guard lock(mutex_);
  sessions_.erase(destination);
}

void TlsProfile::keep_session(const std::string& destination, SSL* ssl) {
  SSL_SESSION* current = SSL_get0_session(ssl);
  if (current == nullptr || SSL_SESSION_is_resumable(current) != 1) return;
  // A copy: OpenSSL marks the connection's own session unresumable when the connection is closed
  // without a TLS close_notify, which is how idle pooled connections are closed.
  std::shared_ptr<SSL_SESSION> session(SSL_SESSION_dup(current), SSL_SESSION_free);
  if (!session) return;
  std::lock_guard lock(mutex_);
  sessions_[destination] = KeptSession{std::move(session), SSL_get_SSL_CTX(ssl)};
}

}  // namespace knutpunkt::net
