#pragma once
// Cases (ärenden) and their households, as case systems register them. A lookup is scoped by
// them (an open case, a person in its household), so the rules of a case's life are here, not at
// the HTTP edge: a case keeps the time it was opened, closing stamps the time, reopening clears it.
// A case belongs to the organisation of the client that registered it: its clients share it, and
// to any other organisation it does not exist (26 kap. 1 § OSL).
#include <chrono>
#include <expected>
#include <optional>
#include <string>

#include "audit/audited_write.h"
#include "store/store.h"

namespace knutpunkt {

// A case as clients and auditors see it.
nlohmann::json to_json(const CaseRecord& c);

struct CaseRegistration {
  CaseRecord record;  // as it will be stored
  bool created = false;
  // An open case is closed now: what rests on it (its referrals) ends with it, in the same commit.
  bool closing = false;
  AuditedWrite write;  // case.registered or case.updated, with the previous state
};

class CaseRegistry {
 public:
  explicit CaseRegistry(Store& store) : store_(store) {}

  // `requested`: client, its organisation, case id, status, unit and household as the case system
  // sent them.
  std::expected<CaseRegistration, StoreError> prepare_put(CaseRecord requested,
                                                          std::chrono::system_clock::time_point now) const;

  // The organisation's case; another organisation's is not found.
  std::expected<std::optional<CaseRecord>, StoreError> find(const std::string& organisation,
                                                            const std::string& case_id) const;

 private:
  Store& store_;
};

}  // namespace knutpunkt
