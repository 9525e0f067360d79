#pragma once
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace knutpunkt::mapping {

// Decodes xsd:base64Binary text (line breaks and blanks allowed) with OpenSSL. Refuses input whose
// decoded size could exceed max_decoded_bytes before decoding anything. Errors: "too_large" or
// "malformed" (as the code; the caller adds where).
struct Base64Error {
  std::string code;
  std::string message;
};
std::expected<std::string, Base64Error> decode_base64(std::string_view text, std::size_t max_decoded_bytes);

}  // namespace knutpunkt::mapping
