#pragma once
// Outbound: renders the nämnd's återsökning (the outbox message "atersokning.requested": please pay
// the retroactive benefit for this period to the nämnd, which paid ekonomiskt bistånd meanwhile,
// 107 kap. 5 § SFB) as Försäkringskassan's request
// POST {endpoint}/fk-atersokning/v1/aktorer/{aktorsid}/atersokningar, through the declarative
// template mappings/forsakringskassan/atersokning.json. The delivery engine adds Idempotency-Key.
#include "core/outbound_adapter.h"
#include "fk_config.h"
#include "mapping/outbound_template.h"

namespace knutpunkt::forsakringskassan {

inline constexpr const char* kAtersokningMessageType = "atersokning.requested";

class AtersokningSender final : public OutboundAdapter {
 public:
  AtersokningSender(FkConfig config, mapping::OutboundTemplate atersokning);

  const std::string& endpoint() const override { return config_.endpoint; }
  std::shared_ptr<net::TlsProfile> tls() const override { return config_.tls_profile; }
  std::expected<OutboundRequest, RenderError> render(const OutboundMessage& message) const override;

 private:
  FkConfig config_;
  mapping::OutboundTemplate atersokning_;
};

}  // namespace knutpunkt::forsakringskassan
