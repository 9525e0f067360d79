#include "http/client_auth.h"

#include "core/digest.h"

#include <cctype>

namespace knutpunkt::http {

ClientAuth::ClientAuth(std::vector<ClientConfig> clients) : clients_(std::move(clients)) {}

const ClientConfig* ClientAuth::authenticate(std::string_view header) const {
  constexpr std::string_view scheme = "bearer ";
  if (header.size() <= scheme.size()) return nullptr;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return nullptr;
  }
  std::string_view token = header.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return nullptr;

  const std::string presented = sha256_hex(token);
  const ClientConfig* match = nullptr;
  // Compare against every client so the time taken does not reveal which one matched.
  for (const auto& client : clients_) {
    if (constant_time_equal(presented, client.token_sha256) && match == nullptr) match = &client;
  }
  return match;
}

}  // namespace knutpunkt::http
