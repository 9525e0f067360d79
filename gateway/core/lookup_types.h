#pragma once
// What the core hands a lookup adapter and what it gets back. Everything here is already
// validated at the edge: the person id is 12 digits with a valid check digit, the period is sane.
#include "core/case_event.h"

#include <chrono>
#include <string>
#include <vector>

namespace knutpunkt {

struct Caseworker {
  std::string id;    // user identity in the case system (handläggare)
  std::string unit;  // the unit exercising the authority (may be empty)
};

struct LookupQuery {
  std::string lookup_id;
  std::string client_id;
  std::string person_id;  // 12 digits
  std::string id_kind;    // "personnummer" | "samordningsnummer"
  std::string case_id;    // ärendeidentitet
  std::string purpose;    // purpose code the client is allowed to use
  std::string purpose_text;  // syfte as sent to the partner
  std::string legal_basis;   // lagtext
  std::string period_from;   // YYYY-MM-DD
  std::string period_to;     // YYYY-MM-DD
  Caseworker caseworker;
  std::string consent_reference = {};  // the client's consent, for consent-based exchanges (12 kap. OSL)
};

enum class SourceStatus { ok, unavailable, timeout, error };
std::string_view to_string(SourceStatus status);

struct SourceOutcome {
  std::string source;
  SourceStatus status = SourceStatus::error;
  std::string partner_code;     // the partner's own error code, when it gave one
  std::string partner_message;  // the partner's own message; must never hold personal data we add
  std::vector<CaseEvent> events;
  // Each {"kind", "path", "detail"}: where the partner's answer departed from its published
  // contract (a missing echo element, an unknown element, a value of another form), or a part the
  // partner says it could not deliver ("partner_reported", e.g. LEFI `avvikelser`). They do not
  // turn an ok answer into an error: only what a mapping needs does.
  std::vector<nlohmann::json> deviations;
  std::string contract_version;  // the version of the partner's document that was read, if named
  bool protected_identity = false;
  std::chrono::milliseconds latency{0};
};

}  // namespace knutpunkt
