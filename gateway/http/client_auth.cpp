#include "http/client_auth.h"

#include "core/digest.h"

#include <cctype>

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

const ClientConfig* ClientAuth::authenticate(std::string_view header) const {
  const std::string_view token = bearer_token(header);
  if (token.empty()) return nullptr;

  const std::string presented = sha256_hex(token);
  const ClientConfig* match = nullptr;
  // Compare against every client so the time taken does not reveal which one matched.
  for (const auto& client : clients_) {
    if (constant_time_equal(presented, client.token_sha256) && match == nullptr) match = &client;
  }
  if (match == nullptr && sessions_ != nullptr) match = sessions_->principal(token);
  return match;
}

}  // namespace knutpunkt::http
