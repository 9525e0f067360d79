#include "audit/stored_record_hasher.h"

#include <openssl/evp.h>

#include <charconv>
#include <stdexcept>
#include <string>

#include "core/digest.h"

namespace knutpunkt {

void StoredRecordHasher::ContextFree::operator()(evp_md_ctx_st* ctx) const {
  EVP_MD_CTX_free(ctx);
}

StoredRecordHasher::StoredRecordHasher() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) throw std::runtime_error("OpenSSL EVP_MD_CTX_new failed");
}

void StoredRecordHasher::update(std::string_view bytes) {
  if (EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) != 1) {
    throw std::runtime_error("OpenSSL EVP_DigestUpdate(sha256) failed");
  }
}

std::expected<void, CanonicalJsonError> StoredRecordHasher::update_json_string(std::string_view text) {
  bool plain = true;
  for (char c : text) {
    // What canonical_json writes unescaped and needs no UTF-8 check: printable ASCII but the
    // quote and the backslash.
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    update("\"");
    update(text);
    update("\"");
    return {};
  }
  auto encoded = canonical_json(nlohmann::json(std::string(text)));
  if (!encoded) return std::unexpected(std::move(encoded.error()));
  update(*encoded);
  return {};
}

std::expected<StoredRecordHasher::Hex, CanonicalJsonError> StoredRecordHasher::hash(const StoredAuditRecord& r,
                                                                                    std::int64_t seq) {
  if (EVP_DigestInit_ex(ctx_.get(), sha256_algorithm(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL EVP_DigestInit_ex(sha256) failed");
  }
  // The bytes record_hash hashes, in the same order (audit_chain.cpp).
  update(r.prev_hash);
  update("\n{\"body\":");
  update(r.body);
  update(",\"kind\":");
  if (auto ok = update_json_string(r.kind); !ok) return std::unexpected(std::move(ok.error()));
  update(",\"recorded_at\":");
  if (auto ok = update_json_string(r.recorded_at); !ok) return std::unexpected(std::move(ok.error()));
  update(",\"seq\":");
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof digits, seq);
  update(std::string_view(digits, static_cast<std::size_t>(written.ptr - digits)));
  update("}");

  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), md, &length) != 1 || length != 32) {
    throw std::runtime_error("OpenSSL EVP_DigestFinal_ex(sha256) failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  Hex out;
  for (unsigned int i = 0; i < 32; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 0x0F];
  }
  return out;
}

}  // namespace knutpunkt
