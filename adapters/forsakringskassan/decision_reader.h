#pragma once
// Inbound: reads one decision notification (beslutsnotifiering) that Försäkringskassan pushes when
// it decides on a benefit for a person (README.md "Decision notifications"). The envelope —
// notifieringsId, the personnummer and its check digit, skyddad — is checked here; the decision
// itself is mapped declaratively by mappings/forsakringskassan/BESLUTSNOTIFIERING.json to one
// benefit.decision_received event. The report names the person, not a referral.
#include "core/inbound_adapter.h"
#include "fk_config.h"
#include "mapping/versioned_mapping.h"

namespace knutpunkt::forsakringskassan {

inline constexpr const char* kDecisionEventType = "benefit.decision_received";

class DecisionReader final : public InboundAdapter {
 public:
  // `beslutsnotifiering`: every version a JSON-input mapping (checked by the registration).
  DecisionReader(FkConfig config, mapping::VersionedMapping beslutsnotifiering);
  std::expected<InboundReport, InboundError> parse_report(std::string_view body) const override;

 private:
  FkConfig config_;
  mapping::VersionedMapping beslutsnotifiering_;
};

}  // namespace knutpunkt::forsakringskassan
