#pragma once
// Inbound: reads one message from a region's system about a samordnad individuell plan (a reply
// to a kallelse, SVAR; a proposed change, ANDRINGSFORSLAG; adapters/sip_region/README.md),
// validates it strictly and maps it to a sip.* case event for the plan it names.
#include "core/inbound_adapter.h"
#include "region_config.h"

namespace knutpunkt::sip_region {

class ReplyReader final : public InboundAdapter {
 public:
  explicit ReplyReader(RegionConfig config) : config_(std::move(config)) {}
  // InboundReport: partner_message_id, plan_id, participant_id, report_type ("SVAR" |
  // "ANDRINGSFORSLAG"), reported_at, and one event: sip.reply_received
  // {participant_id, reply: accepted|declined} or sip.change_proposed {participant_id, proposal:
  // {summary, insatser: [{description, start_date, end_date|null}]}}.
  std::expected<InboundReport, InboundError> parse_report(std::string_view body) const override;

 private:
  RegionConfig config_;
};

}  // namespace knutpunkt::sip_region
