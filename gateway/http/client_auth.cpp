#include "http/client_auth.h"

#include <cctype>

#include "core/digest.h"

namespace knutpunkt::http {

ClientAuth::ClientAuth(std::vector<ClientConfig> clients, const identity::SessionRegistry* sessions)
    : clients_(std::move(clients)), sessions_(sessions) {}

std::string_view ClientAuth::bearer_token(std::string_view header) {
  constexpr std::string_view scheme = "bearer ";
  if (header.size() <= scheme.size()) return {};
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return {};
  }
  std::string_view token = header.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

namespace {

bool bound(const CertificateBinding& binding, const tls::PeerCertificate& peer) {
  if (!binding.sha256.empty()) return binding.sha256 == peer.sha256;
  return !binding.issuer.empty() && binding.issuer == peer.issuer &&
         binding.subject_serial_number == peer.subject_serial_number;
}

}  // namespace

const ClientConfig* ClientAuth::authenticate(std::string_view header, const tls::PeerCertificate* peer) const {
  const std::string_view token = bearer_token(header);
  if (token.empty()) {
    if (peer == nullptr) return nullptr;
    for (const auto& client : clients_) {
      if (client.authentication == ClientAuthentication::certificate && bound(client.certificate, *peer))
        return &client;
    }
    return nullptr;
  }

  const std::string presented = sha256_hex(token);
  const ClientConfig* match = nullptr;
  // Compare against every client so the time taken does not reveal which one matched.
  for (const auto& client : clients_) {
    const bool by_token = client.authentication != ClientAuthentication::certificate;
    if (by_token && constant_time_equal(presented, client.token_sha256) && match == nullptr) match = &client;
  }
  if (match != nullptr) {
    // A token that leaked is worthless without the certificate's key.
    if (match->authentication == ClientAuthentication::token_and_certificate &&
        (peer == nullptr || !bound(match->certificate, *peer))) {
      return nullptr;
    }
    return match;
  }
  if (sessions_ != nullptr) match = sessions_->principal(token);
  return match;
}

}  // namespace knutpunkt::http
