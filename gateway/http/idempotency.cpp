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

std::optional<std::string> claim_idempotency_key(Exchange& exchange, IdempotencyKeys& keys,
                                                 const std::string& fingerprint, const std::string& id_field,
                                                 const std::string& location_prefix) {
  const Request& request = exchange.request();
  const bool key_given = request.find("Idempotency-Key") != request.end();
  std::string key(to_std(request["Idempotency-Key"]));
  if (key_given && !valid_idempotency_key(key)) {
    exchange.refuse({400, "invalid_idempotency_key", "Invalid Idempotency-Key",
                     "the Idempotency-Key header must be 1 to 255 visible ASCII characters",
                     {{"Idempotency-Key", "bad_format", "must be 1 to 255 visible ASCII characters"}}, {}});
    return std::nullopt;
  }
  if (key.empty()) return key;
  exchange.audit_context()["idempotency_key"] = key;
  const std::string client_id = exchange.client().id;
  auto begin = keys.begin(client_id, key, fingerprint);
  switch (begin.check) {
    case IdempotencyCheck::replay: {
      const nlohmann::json first = nlohmann::json::parse(begin.record.response_body, nullptr, false);
      Response response = make_json_response(static_cast<unsigned>(begin.record.http_status), first);
      response.set("Idempotent-Replayed", "true");
      if (first.is_object() && first.contains(id_field) && first[id_field].is_string()) {
        response.set(boost::beast::http::field::location, location_prefix + first[id_field].get<std::string>());
      }
      exchange.reply(std::move(response));
      return std::nullopt;
    }
    case IdempotencyCheck::mismatch:
      exchange.refuse({422, "idempotency_key_reused", "Idempotency-Key reused",
                       "this Idempotency-Key was used for a different request",
                       {{"Idempotency-Key", "reused", "was used before with another body"}}, {}});
      return std::nullopt;
    case IdempotencyCheck::in_progress:
      exchange.refuse({409, "idempotency_key_in_use", "Request in progress",
                       "a request with this Idempotency-Key is still being processed; retry shortly", {}, {}});
      return std::nullopt;
    case IdempotencyCheck::unavailable:
      exchange.store_unavailable();
      return std::nullopt;
    case IdempotencyCheck::proceed:
      break;
  }
  exchange.release_on_reply([&keys, client_id, key] { keys.release(client_id, key); });
  return key;
}

}  // namespace knutpunkt::http
