#include "webhook_signature.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <vector>

#include "core/digest.h"

namespace knutpunkt::case_system_simulator {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view verdict_name(SignatureVerdict verdict) {
  switch (verdict) {
    case SignatureVerdict::valid:
      return "valid";
    case SignatureVerdict::missing:
      return "missing";
    case SignatureVerdict::malformed:
      return "malformed";
    case SignatureVerdict::mismatch:
      return "mismatch";
    case SignatureVerdict::stale:
      return "stale";
  }
  return "malformed";
}

SignatureVerdict verify_signature(std::string_view header, std::string_view body, std::string_view secret,
                                  std::chrono::seconds max_skew, std::chrono::system_clock::time_point now) {
  header = trim(header);
  if (header.empty()) return SignatureVerdict::missing;
  std::string_view timestamp;
  std::vector<std::string> signatures;  // several v1 entries are allowed, for key rotation
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto part = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    const auto equals = part.find('=');
    if (equals == std::string_view::npos) return SignatureVerdict::malformed;
    const auto key = part.substr(0, equals);
    const auto value = part.substr(equals + 1);
    if (key == "t")
      timestamp = value;
    else if (key == "v1") {
      std::string lowered(value);
      std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      signatures.push_back(std::move(lowered));
    }
  }
  std::int64_t seconds = 0;
  if (timestamp.empty() || signatures.empty() ||
      std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds).ptr !=
          timestamp.data() + timestamp.size())
    return SignatureVerdict::malformed;

  std::string signed_bytes(timestamp);
  signed_bytes += '.';
  signed_bytes += body;
  const std::string expected = hmac_sha256_hex(secret, signed_bytes);
  bool matched = false;
  // Every candidate is compared in full and in constant time, so timing tells nothing about the key.
  for (const auto& candidate : signatures) matched = constant_time_equal(candidate, expected) || matched;
  if (!matched) return SignatureVerdict::mismatch;
  const auto signed_at = std::chrono::system_clock::time_point{std::chrono::seconds{seconds}};
  const auto skew = now > signed_at ? now - signed_at : signed_at - now;
  if (skew > max_skew) return SignatureVerdict::stale;
  return SignatureVerdict::valid;
}

}  // namespace knutpunkt::case_system_simulator
