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
  return {
      {"event_id", event.event_id},
      {"type", event.type},
      {"schema_version", event.schema_version},
      {"occurred_at", event.occurred_at},
      {"received_at", event.received_at},
      {"source_partner", event.source_partner},
      {"case_id", event.case_id},
      {"subject", {{"person_id", event.subject.person_id}, {"id_kind", event.subject.id_kind}}},
      {"correlation_id", event.correlation_id},
      {"causation_id", event.causation_id},
      {"protected_identity", event.protected_identity},
      {"facts", event.facts},
  };
}

}  // namespace knutpunkt
