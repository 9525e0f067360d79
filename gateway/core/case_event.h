#pragma once
// The internal case event: the one normalised shape every partner message becomes.
// Schema: schemas/case-event.v1.schema.json. Amounts are integer öre, dates ISO 8601.
#include <nlohmann/json.hpp>
#include <string>

namespace knutpunkt {

inline constexpr int kCaseEventSchemaVersion = 1;

struct Subject {
  std::string person_id = {};  // 12 digits, normalised at the edge
  std::string id_kind = {};    // "personnummer" | "samordningsnummer"
};

// Every member has a default so that new_case_event can take designated initializers.
struct CaseEvent {
  std::string event_id = {};  // UUID version 7 (time-ordered)
  std::string type = {};      // e.g. "partner.lookup.completed"
  int schema_version = kCaseEventSchemaVersion;
  std::string occurred_at = {};     // when it happened at the partner (date or date-time), else received_at
  std::string received_at = {};     // when knutpunkt received it, UTC date-time
  std::string source_partner = {};  // adapter name and source, e.g. "ssbtek/AF"
  std::string case_id = {};
  Subject subject = {};
  std::string correlation_id = {};  // ties together everything one request caused (the lookup id)
  std::string causation_id = {};    // the message that directly caused this event
  bool protected_identity = false;
  nlohmann::json facts = nlohmann::json::object();
};

// A new event: `fields` with a fresh event_id, received now unless received_at is given, and
// occurred when received unless occurred_at is given.
CaseEvent new_case_event(CaseEvent fields);

nlohmann::json to_json(const CaseEvent& event);
// The same, taking the event's strings and facts instead of copying them: an answer that is
// serialised once and dropped need not hold every fact twice.
nlohmann::json to_json(CaseEvent&& event);

}  // namespace knutpunkt
