#pragma once
// Knutpunkt-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
// (README.md, "What a referral looks like"). Checked the way a careful receiver would, so a gateway
// that signs the wrong bytes or re-serialises the body fails here.
#include <chrono>
#include <string>
#include <string_view>

namespace knutpunkt::case_system_simulator {

enum class SignatureVerdict { valid, missing, malformed, mismatch, stale };

std::string_view verdict_name(SignatureVerdict verdict);

// A signature's t may be at most this far from the receiver's clock, either way: a push captured
// on the way cannot be replayed later. The gateway signs at each attempt, so a retry hours after
// the event still carries a fresh t.
inline constexpr std::chrono::seconds kMaxSignatureSkew{300};

// Stale when t lies more than `max_skew` before or after `now`.
SignatureVerdict verify_signature(std::string_view header, std::string_view body, std::string_view secret,
                                  std::chrono::seconds max_skew, std::chrono::system_clock::time_point now);

}  // namespace knutpunkt::case_system_simulator
