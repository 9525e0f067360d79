#pragma once
// Outbound: renders an accepted referral as Jobbtorg's anvisning (POST {endpoint}/anvisningar),
// through the declarative template mappings/jobbtorg/anvisning.json.
#include "core/outbound_adapter.h"
#include "jobbtorg_config.h"
#include "mapping/outbound_template.h"

namespace knutpunkt::jobbtorg {

class AnvisningSender final : public OutboundAdapter {
 public:
  AnvisningSender(JobbtorgConfig config, mapping::OutboundTemplate anvisning);

  const std::string& endpoint() const override { return config_.endpoint; }
  std::shared_ptr<net::TlsProfile> tls() const override { return config_.tls_profile; }
  std::expected<OutboundRequest, RenderError> render(const OutboundMessage& message) const override;

 private:
  JobbtorgConfig config_;
  mapping::OutboundTemplate anvisning_;
};

}  // namespace knutpunkt::jobbtorg
