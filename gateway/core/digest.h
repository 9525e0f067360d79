#pragma once
#include <string>
#include <string_view>

namespace knutpunkt {

// Lower-case hex SHA-256 of the bytes (OpenSSL EVP).
std::string sha256_hex(std::string_view bytes);

// Lower-case hex HMAC-SHA256 (RFC 2104) of the bytes under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view bytes);

// Compares two strings in time independent of where they differ (for secrets such as tokens).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace knutpunkt
