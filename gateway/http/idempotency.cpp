#include "http/idempotency.h"

#include "core/digest.h"

namespace knutpunkt::http {

bool valid_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::string request_fingerprint(std::string_view method, std::string_view path, std::string_view body) {
  std::string text;
  text.reserve(method.size() + path.size() + body.size() + 2);
  text.append(method).append(" ").append(path).append("\n").append(body);
  return sha256_hex(text);
}

IdempotencyBegin IdempotencyKeys::begin(const std::string& client_id, const std::string& key,
                                        const std::string& fingerprint) {
  std::lock_guard lock(mutex_);
  if (in_flight_.contains({client_id, key})) return {IdempotencyCheck::in_progress, {}};
  auto stored = store_.idempotency(client_id, key);
  if (!stored) return {IdempotencyCheck::unavailable, {}};
  if (*stored) {
    if ((*stored)->request_hash != fingerprint) return {IdempotencyCheck::mismatch, {}};
    return {IdempotencyCheck::replay, std::move(**stored)};
  }
  in_flight_.insert({client_id, key});
  return {IdempotencyCheck::proceed, {}};
}

void IdempotencyKeys::release(const std::string& client_id, const std::string& key) {
  std::lock_guard lock(mutex_);
  in_flight_.erase({client_id, key});
}

}  // namespace knutpunkt::http
