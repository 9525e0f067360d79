#include "delivery/webhook_adapter.h"

#include "core/digest.h"

namespace knutpunkt::delivery {

std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds, const std::string& body) {
  const std::string t = std::to_string(unix_seconds);
  return "t=" + t + ",v1=" + hmac_sha256_hex(secret, t + "." + body);
}

WebhookAdapter::WebhookAdapter(std::string url, std::string secret, UnixClock clock,
                               std::shared_ptr<net::TlsProfile> tls)
    : url_(std::move(url)), secret_(std::move(secret)), clock_(std::move(clock)), tls_(std::move(tls)) {
  if (!clock_) {
    clock_ = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

std::expected<OutboundRequest, RenderError> WebhookAdapter::render(const OutboundMessage& message) const {
  if (!message.payload.is_object() || !message.payload.contains("event_id")) {
    return std::unexpected(RenderError{"unsupported_type", "/", "a webhook carries case events only"});
  }
  OutboundRequest request;
  request.path = "";
  request.body = message.payload.dump();
  // Signed at each attempt, so the timestamp is fresh even when the message waited for hours.
  request.headers.emplace_back("Knutpunkt-Signature", webhook_signature(secret_, clock_(), request.body));
  request.headers.emplace_back("Knutpunkt-Event-Id", message.payload.value("event_id", ""));
  request.headers.emplace_back("Knutpunkt-Event-Type", message.type);
  return request;
}

}  // namespace knutpunkt::delivery
