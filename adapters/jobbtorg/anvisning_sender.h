#pragma once
// Outbound: renders an accepted referral as Jobbtorg's anvisning (POST {endpoint}/anvisningar),
// and what follows it (a change, a withdrawal, a decision) as a meddelande about that anvisning
// (POST {endpoint}/anvisningar/{anvisningsId}/meddelanden), each through its declarative
// template in the mappings folder (anvisning.json, andring.json, aterkallelse.json, beslut.json).
#include <map>
#include <string>

#include "core/outbound_adapter.h"
#include "jobbtorg_config.h"
#include "mapping/outbound_template.h"

namespace knutpunkt::jobbtorg {

// The template (file stem) each message type is rendered with.
const std::map<std::string, std::string>& template_by_message_type();

class AnvisningSender final : public OutboundAdapter {
 public:
  // `templates` by file stem; every one template_by_message_type() names must be there.
  AnvisningSender(JobbtorgConfig config, std::map<std::string, mapping::OutboundTemplate> templates);

  const std::string& endpoint() const override { return config_.endpoint; }
  std::shared_ptr<net::TlsProfile> tls() const override { return config_.tls_profile; }
  std::expected<OutboundRequest, RenderError> render(const OutboundMessage& message) const override;

 private:
  JobbtorgConfig config_;
  std::map<std::string, mapping::OutboundTemplate> templates_;
};

}  // namespace knutpunkt::jobbtorg
