#pragma once
// Outbound: renders the gateway's sip.* outbox messages as the region's requests
// (region_wire.h; adapters/sip_region/README.md).
#include "core/outbound_adapter.h"
#include "region_config.h"

namespace knutpunkt::sip_region {

class SipMessageSender final : public OutboundAdapter {
 public:
  explicit SipMessageSender(RegionConfig config) : config_(std::move(config)) {}

  const std::string& endpoint() const override { return config_.endpoint; }
  std::shared_ptr<net::TlsProfile> tls() const override { return config_.tls_profile; }
  std::expected<OutboundRequest, RenderError> render(const OutboundMessage& message) const override;

 private:
  RegionConfig config_;
};

}  // namespace knutpunkt::sip_region
