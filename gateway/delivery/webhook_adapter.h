#pragma once
// Pushes case events to a case system's webhook. Our own protocol (schemas/openapi.yaml,
// "Webhooks"): the body is one case event envelope; the signature lets the receiver check that
// it came from knutpunkt and was not altered, and its timestamp lets it refuse old replays.
//
//   Knutpunkt-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/outbound_adapter.h"

namespace knutpunkt::delivery {

std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds, const std::string& body);

class WebhookAdapter final : public OutboundAdapter {
 public:
  using UnixClock = std::function<std::int64_t()>;
  // `url` is where events are POSTed, over TLS with `tls` for an https url. `clock` is for tests.
  WebhookAdapter(std::string url, std::string secret, UnixClock clock = {}, std::shared_ptr<net::TlsProfile> tls = {});

  const std::string& endpoint() const override { return url_; }
  std::shared_ptr<net::TlsProfile> tls() const override { return tls_; }
  std::expected<OutboundRequest, RenderError> render(const OutboundMessage& message) const override;

 private:
  std::string url_;
  std::string secret_;
  UnixClock clock_;
  std::shared_ptr<net::TlsProfile> tls_;
};

}  // namespace knutpunkt::delivery
