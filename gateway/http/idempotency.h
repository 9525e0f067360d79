#pragma once
// Idempotency-Key on inbound POSTs (draft-ietf-httpapi-idempotency-key-header): the same key
// with the same request returns the first result again; the same key with another request is
// refused (422); the same key while the first is still being committed gets 409. Keys are
// scoped per client and stored in the same transaction as what they protect.
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "http/exchange.h"
#include "http/message.h"
#include "http/problem.h"
#include "store/referral_store.h"

namespace knutpunkt::http {

enum class IdempotencyCheck { proceed, replay, mismatch, in_progress, unavailable };

struct IdempotencyBegin {
  IdempotencyCheck check = IdempotencyCheck::proceed;
  IdempotencyRecord record;  // for replay: the stored response
};

// Visible ASCII, 1..255 characters.
bool valid_idempotency_key(std::string_view key);

// sha256 over method, path and body: what "the same request" means.
std::string request_fingerprint(std::string_view method, std::string_view path, std::string_view body);

class IdempotencyKeys {
 public:
  explicit IdempotencyKeys(ReferralStore& store) : store_(store) {}

  // On proceed the key is reserved until release() (call it once the outcome is durable or failed).
  IdempotencyBegin begin(const std::string& client_id, const std::string& key, const std::string& fingerprint);
  void release(const std::string& client_id, const std::string& key);

 private:
  ReferralStore& store_;
  std::mutex mutex_;
  std::set<std::pair<std::string, std::string>> in_flight_;
};

// The key check every idempotent POST makes before it validates the body (a reused key with
// another body is a reuse, 422, whatever that body holds). Returns the key ("" when none was
// given) when the caller goes on; the key is then reserved until the exchange is answered, so no
// exit path can leave it held. Otherwise nullopt: the exchange was answered with the first answer
// again (with Location from its `id_field`, under `location_prefix`), or refused (400 bad key,
// 409 in progress, 422 reused), or 503.
std::optional<std::string> claim_idempotency_key(Exchange& exchange, IdempotencyKeys& keys,
                                                 const std::string& fingerprint, const std::string& id_field,
                                                 const std::string& location_prefix);

}  // namespace knutpunkt::http
