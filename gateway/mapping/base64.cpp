#include "mapping/base64.h"

#include <openssl/evp.h>

#include <climits>
#include <memory>

namespace knutpunkt::mapping {
namespace {
struct FreeEncodeContext {
  void operator()(EVP_ENCODE_CTX* ctx) const { EVP_ENCODE_CTX_free(ctx); }
};
}  // namespace

std::expected<std::string, Base64Error> decode_base64(std::string_view text, std::size_t max_decoded_bytes) {
  // Four characters carry three bytes; whitespace only makes the real result smaller.
  if (text.size() / 4 > max_decoded_bytes / 3 + 1 || text.size() > static_cast<std::size_t>(INT_MAX)) {
    return std::unexpected(Base64Error{"too_large", "encoded payload exceeds the size limit"});
  }
  std::unique_ptr<EVP_ENCODE_CTX, FreeEncodeContext> ctx(EVP_ENCODE_CTX_new());
  if (!ctx) return std::unexpected(Base64Error{"malformed", "out of memory"});
  EVP_DecodeInit(ctx.get());
  std::string out(text.size() / 4 * 3 + 3, '\0');
  int written = 0;
  // EVP_DecodeUpdate skips whitespace and rejects anything outside the base64 alphabet.
  if (EVP_DecodeUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &written,
                       reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size())) < 0) {
    return std::unexpected(Base64Error{"malformed", "payload is not valid base64"});
  }
  int tail = 0;
  if (EVP_DecodeFinal(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + written, &tail) < 0) {
    return std::unexpected(Base64Error{"malformed", "payload is not valid base64"});
  }
  out.resize(static_cast<std::size_t>(written + tail));
  if (out.size() > max_decoded_bytes) {
    return std::unexpected(Base64Error{"too_large", "decoded payload exceeds the size limit"});
  }
  return out;
}

}  // namespace knutpunkt::mapping
