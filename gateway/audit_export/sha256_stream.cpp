#include "audit_export/sha256_stream.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "core/digest.h"
#include "core/hex.h"

namespace knutpunkt::audit_export {

struct Sha256Stream::State {
  EVP_MD_CTX* ctx = nullptr;
  ~State() { EVP_MD_CTX_free(ctx); }
};

// Failures here mean OpenSSL itself is broken (no memory, no SHA-256 provider): exceptional.
Sha256Stream::Sha256Stream() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (state_->ctx == nullptr || EVP_DigestInit_ex(state_->ctx, sha256_algorithm(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 is unavailable");
  }
}

Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::update(std::string_view bytes) {
  if (EVP_DigestUpdate(state_->ctx, bytes.data(), bytes.size()) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 update failed");
  }
}

std::string Sha256Stream::finish_hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(state_->ctx, md, &len) != 1) throw std::runtime_error("OpenSSL SHA-256 final failed");
  return hex_encode({md, len});
}

}  // namespace knutpunkt::audit_export
