#include "identity/password_hash.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <optional>
#include <regex>
#include <vector>

#include "core/digest.h"
#include "core/hex.h"

namespace knutpunkt::identity {

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

std::string derive(std::string_view password, const std::vector<unsigned char>& salt, int iterations) {
  unsigned char out[kHashBytes];
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(), static_cast<int>(salt.size()),
                        iterations, EVP_sha256(), sizeof out, out) != 1) {
    return {};
  }
  return hex_encode(out);
}

struct Parsed {
  int iterations = 0;
  std::vector<unsigned char> salt;
  std::string hash;
};

std::optional<Parsed> parse(std::string_view encoded) {
  static const std::regex shape("pbkdf2-sha256\\$([0-9]{4,8})\\$([0-9a-f]{16,128})\\$([0-9a-f]{64})");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(encoded.begin(), encoded.end(), m, shape)) return std::nullopt;
  Parsed p;
  const std::string iterations = m[1].str();
  std::from_chars(iterations.data(), iterations.data() + iterations.size(), p.iterations);
  if (p.iterations < 1000 || m[2].length() % 2 != 0) return std::nullopt;
  auto salt = hex_decode(m[2].str());
  if (!salt) return std::nullopt;
  p.salt = std::move(*salt);
  p.hash = m[3].str();
  return p;
}

}  // namespace

std::expected<std::string, HashError> hash_password(std::string_view password, int iterations) {
  if (password.size() < 12) return std::unexpected(HashError{"a password must have at least 12 characters"});
  if (iterations < 1000 || iterations > 99999999) return std::unexpected(HashError{"iterations out of range"});
  std::vector<unsigned char> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) return std::unexpected(HashError{"no randomness"});
  const std::string hash = derive(password, salt, iterations);
  if (hash.empty()) return std::unexpected(HashError{"PBKDF2 failed"});
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + hex_encode(salt) + "$" + hash;
}

bool is_password_hash(std::string_view encoded) { return parse(encoded).has_value(); }

std::optional<int> hash_iterations(std::string_view encoded) {
  const auto parsed = parse(encoded);
  if (!parsed) return std::nullopt;
  return parsed->iterations;
}

bool verify_password(std::string_view password, std::string_view encoded) {
  const auto parsed = parse(encoded);
  if (!parsed) return false;
  const std::string presented = derive(password, parsed->salt, parsed->iterations);
  return !presented.empty() && constant_time_equal(presented, parsed->hash);
}

}  // namespace knutpunkt::identity
