#pragma once
// Cases (ärenden) a case system registers with the gateway, with their household: the scope a
// lookup must stay within (SSBTEK may be used only in an open case, about persons in that case's
// household). Plain data; the rule that reads it is policy/case_scope.h.
#include <set>
#include <string>

namespace knutpunkt {

struct CaseRecord {
  std::string client_id;  // the case system that registered (or last updated) the case
  std::string case_id;
  std::string status;               // "open" | "closed"
  std::string unit;                 // the unit exercising the authority
  std::set<std::string> household;  // person ids, 12 digits
  std::string opened_at;
  std::string closed_at;  // empty while open
  std::string updated_at;
  // The organisation the case belongs to (config "organisations"): only its clients read, change
  // or look up within it. Empty for a case from before organisations: no one's.
  std::string organisation;
  std::string closure_reason = {};  // the case system's code when closed; empty while open
};

namespace store_write {
struct PutCase {
  CaseRecord record;  // inserts or replaces the organisation's case
};
}  // namespace store_write

}  // namespace knutpunkt
