#pragma once
// What knutpunkt presents and trusts when it calls one partner or webhook over https: the
// partner's CA bundle (nothing else is trusted: a public CA could otherwise vouch for anyone
// calling themselves SSBTEK), the municipality's organisation certificate and key for mutual TLS,
// and the sessions kept for resumption. Rebuilt from the same files by reload() when the
// certificates are renewed; connections already open finish on the context they began with.
#include <chrono>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/tls_fields.h"

using SSL = struct ssl_st;
using SSL_SESSION = struct ssl_session_st;

namespace boost::asio::ssl {
class context;
}

namespace knutpunkt::tls {
class ReloadableContext;
}

namespace knutpunkt::net {

// The "tls" object of an endpoint's config; paths are resolved already.
struct TlsSettings {
  std::filesystem::path ca_file{};  // PEM bundle of the CAs the partner's certificate may chain to
  config::KeyPairFiles identity{};  // our chain (leaf first) and key, with its password; empty: none
  std::string server_name{};        // the name to verify and send in SNI, if not the URL's host

  bool operator==(const TlsSettings& other) const;
};

// A certificate whose expiry an operator must see coming.
struct CertificateValidity {
  std::string role;     // "client" (ours) or "ca" (a CA we trust for the partner)
  std::string subject;  // one line, OpenSSL's form
  std::chrono::system_clock::time_point not_after;
};

class TlsProfile {
 public:
  // Loads the files into a client context: TLS 1.2 or later, the peer verified against ca_file only.
  // The error names the file and what is wrong with it (never the key's password).
  static std::expected<std::shared_ptr<TlsProfile>, std::string> load(std::string name, TlsSettings settings);

  TlsProfile(std::string name, TlsSettings settings);
  TlsProfile(const TlsProfile&) = delete;
  TlsProfile& operator=(const TlsProfile&) = delete;

  // Rebuilds the context from the same files; on error the current one stays in use. Kept
  // sessions are dropped, as they were made with the old certificate.
  std::expected<void, std::string> reload();

  const std::string& name() const { return name_; }
  const TlsSettings& settings() const { return settings_; }
  bool has_client_certificate() const { return !settings_.identity.certificate.empty(); }

  // The context new connections are made with; a connection keeps its own reference.
  std::shared_ptr<boost::asio::ssl::context> context() const;

  // Our certificate's and the trusted CAs' notAfter, as loaded by the last successful (re)load.
  std::vector<CertificateValidity> certificates() const;

  // The context as gateway/tls manages it, for a registry that reloads and reports every context
  // of the process; a reload through it takes effect here too (kept sessions of the old context
  // are then no longer offered).
  const std::shared_ptr<tls::ReloadableContext>& reloadable() const { return reloadable_; }

  // Session resumption per destination ("host:port"): the last resumable session is offered on
  // the next connection, saving a full handshake (and the partner's signature check) per connection.
  void offer_session(const std::string& destination, SSL* ssl) const;
  void keep_session(const std::string& destination, SSL* ssl);
  // After a failed handshake: a partner that cannot resume the kept session gets a full handshake
  // on the next connection instead of the same failure again.
  void forget_session(const std::string& destination);

 private:
  using Context = std::shared_ptr<boost::asio::ssl::context>;
  std::expected<Context, std::string> build();

  struct KeptSession {
    std::shared_ptr<SSL_SESSION> session;
    const void* context = nullptr;  // the SSL_CTX it was made with: one of a replaced context is not offered
  };

  std::string name_;
  TlsSettings settings_;
  std::shared_ptr<tls::ReloadableContext> reloadable_;
  mutable std::mutex mutex_;
  std::vector<CertificateValidity> certificates_;
  std::map<std::string, KeptSession> sessions_;
};

}  // namespace knutpunkt::net
