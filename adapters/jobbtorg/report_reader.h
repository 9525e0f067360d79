#pragma once
// Inbound: reads one Jobbtorg report (adapters/jobbtorg/README.md), checks its envelope, and maps
// it to case events with the declarative mapping for its `typ` (mappings/jobbtorg/<TYP>.json, and
// <TYP>.<version>.json while Jobbtorg sends two versions of its reports).
#include <map>
#include <string>

#include "core/inbound_adapter.h"
#include "jobbtorg_config.h"
#include "mapping/versioned_mapping.h"

namespace knutpunkt::jobbtorg {

class ReportReader final : public InboundAdapter {
 public:
  ReportReader(JobbtorgConfig config, std::map<std::string, mapping::VersionedMapping> mappings);
  std::expected<InboundReport, InboundError> parse_report(std::string_view body) const override;

 private:
  JobbtorgConfig config_;
  std::map<std::string, mapping::VersionedMapping> mappings_;  // by typ
};

}  // namespace knutpunkt::jobbtorg
