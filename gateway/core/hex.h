#pragma once
// Lower-case hexadecimal text of bytes (digests, tokens, salts, signatures) and back.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace knutpunkt {

std::string hex_encode(std::span<const unsigned char> bytes);

// nullopt when the length is odd or a character is not 0-9 or a-f: a value we wrote comes back
// exactly as written, and anything else is not one of ours.
std::optional<std::vector<unsigned char>> hex_decode(std::string_view text);

}  // namespace knutpunkt
