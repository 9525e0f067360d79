#include "core/case_event.h"

#include "core/clock.h"
#include "core/ids.h"

namespace knutpunkt {

CaseEvent new_case_event(CaseEvent fields) {
  fields.event_id = new_uuid();
  if (fields.received_at.empty()) fields.received_at = now_utc();
  if (fields.occurred_at.empty()) fields.occurred_at = fields.received_at;
  return fields;
}

nlohmann::json to_json(const CaseEvent& event) {
  return to_json(CaseEvent(event));
}

nlohmann::json to_json(CaseEvent&& event) {
  return {
      {"event_id", std::move(event.event_id)},
      {"type", std::move(event.type)},
      {"schema_version", event.schema_version},
      {"occurred_at", std::move(event.occurred_at)},
      {"received_at", std::move(event.received_at)},
      {"source_partner", std::move(event.source_partner)},
      {"case_id", std::move(event.case_id)},
      {"subject", {{"person_id", std::move(event.subject.person_id)}, {"id_kind", std::move(event.subject.id_kind)}}},
      {"correlation_id", std::move(event.correlation_id)},
      {"causation_id", std::move(event.causation_id)},
      {"protected_identity", event.protected_identity},
      {"facts", std::move(event.facts)},
  };
}

}  // namespace knutpunkt
