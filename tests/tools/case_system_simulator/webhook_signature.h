#pragma once
// Knutpunkt-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
// (.notes/issue3-api.md, "Webhook push"). Checked the way a careful receiver would, so a gateway
// that signs the wrong bytes or re-serialises the body fails here.
#include <chrono>
#include <string>
#include <string_view>

namespace knutpunkt::case_system_simulator {

enum class SignatureVerdict { valid, missing, malformed, mismatch, stale };

std::string_view verdict_name(SignatureVerdict verdict);

// `max_skew` of zero skips the timestamp check: retries of one delivery may carry an old t.
SignatureVerdict verify_signature(std::string_view header, std::string_view body, std::string_view secret,
                                  std::chrono::seconds max_skew, std::chrono::system_clock::time_point now);

}  // namespace knutpunkt::case_system_simulator
