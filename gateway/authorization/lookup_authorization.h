#pragma once
// The policy step every lookup passes, whatever the adapter (issue 4; domain.md section 3):
//   1. the client holds the operation ("lookup:<adapter>"),
//   2. the purpose is one the client may use and the partner may be asked under,
//   3. the period is within the partner's limit (LEFI: two years),
//   4. the case is open, registered by this client, and the person is in its household,
//   5. for a consent-based partner, a consent in force covers every source asked,
//   6. a person once flagged as protected is known as such before any partner answers.
// LookupService accepts only an AuthorizedLookup, and only this step makes one, so an adapter
// added later cannot be reached around it.
#include <chrono>
#include <expected>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/gateway_config.h"
#include "core/lookup_types.h"
#include "store/store.h"

namespace knutpunkt::authorization {

// Why an exchange is not allowed. Audited with `detail`, answered as a problem naming `field`.
struct Refusal {
  unsigned status = 403;
  // operation_not_allowed, purpose_not_allowed, period_too_long, no_open_case, case_closed,
  // not_in_household, no_consent, consent_out_of_scope, consent_not_yet_valid,
  // consent_expired, consent_withdrawn (consent::to_string), store_unavailable
  std::string code;
  std::string field;   // the request field at fault, e.g. "case_id", "sources[1]"
  std::string reason;  // English, never personal data
  nlohmann::json detail = nlohmann::json::object();  // for the audit record
};

// The consent one source is fetched under.
struct ConsentGrant {
  std::string consent_id;
  std::string document_reference;  // the signed document, sent on to partners that ask for it
};

class AuthorizedLookup {
 public:
  LookupQuery query;  // purpose_text filled in
  std::string adapter;
  std::vector<std::string> sources;
  std::map<std::string, ConsentGrant> consents;  // by source; empty for a partner asked by law
  policy::LegalBasis legal_basis = policy::LegalBasis::law;
  // The store remembers the person as protected, or could not say (then: protect).
  bool known_protected = false;

 private:
  AuthorizedLookup() = default;
  friend class LookupAuthorizer;
};

class LookupAuthorizer {
 public:
  LookupAuthorizer(Store& store, std::map<std::string, PurposeConfig> purposes,
                   std::map<std::string, policy::ExchangePolicy> policies);

  // `query` and `sources` are already valid at the edge; lookup_id and client_id are set.
  std::expected<AuthorizedLookup, Refusal> authorize(const ClientConfig& client, LookupQuery query,
                                                     const std::string& adapter, std::vector<std::string> sources,
                                                     std::chrono::system_clock::time_point now) const;

 private:
  Store& store_;
  std::map<std::string, PurposeConfig> purposes_;
  std::map<std::string, policy::ExchangePolicy> policies_;  // by adapter name
};

}  // namespace knutpunkt::authorization
