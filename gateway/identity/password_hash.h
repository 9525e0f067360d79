#pragma once
// Passwords of console users (auditors, operators, admins) are kept in configuration only as
// PBKDF2-HMAC-SHA256 hashes: "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>". `knutpunkt user
// hash-password` makes one. Verification is constant-time in the hash comparison.
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace knutpunkt::identity {

// OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
inline constexpr int kDefaultIterations = 600000;

struct HashError {
  std::string message;  // never the password
};

// A fresh salt, then the encoded hash.
std::expected<std::string, HashError> hash_password(std::string_view password, int iterations = kDefaultIterations);

// Whether `encoded` is well formed (the config parser checks this at start-up).
bool is_password_hash(std::string_view encoded);

// The iteration count of a well-formed hash: what verifying against it costs.
std::optional<int> hash_iterations(std::string_view encoded);

// False for a wrong password or a malformed hash.
bool verify_password(std::string_view password, std::string_view encoded);

}  // namespace knutpunkt::identity
