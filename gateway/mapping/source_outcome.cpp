#include "mapping/source_outcome.h"

namespace knutpunkt::mapping {

SourceOutcome source_outcome(const std::string& source, std::expected<MappingResult, MappingError> mapped) {
  SourceOutcome outcome;
  outcome.source = source;
  if (!mapped) {
    outcome.status = SourceStatus::error;
    outcome.partner_code = "mapping_failed";
    // Where in the reply and in the mapping, never the value (which may be personal data).
    outcome.partner_message = "the answer could not be mapped: " + mapped.error().code + " at " + mapped.error().where;
    if (!mapped.error().field.empty()) outcome.partner_message += " (" + mapped.error().field + ")";
    return outcome;
  }
  outcome.status = SourceStatus::ok;
  outcome.protected_identity = mapped->protected_identity;
  outcome.deviations = std::move(mapped->deviations);
  for (auto& event : mapped->events) {
    CaseEvent case_event;
    case_event.type = std::move(event.type);
    case_event.occurred_at = std::move(event.occurred_at);
    case_event.facts = std::move(event.facts);
    outcome.events.push_back(std::move(case_event));
  }
  return outcome;
}

}  // namespace knutpunkt::mapping
