#pragma once
// The policy step every exchange with a partner passes, whatever the adapter:
//   1. the client holds the operation ("lookup:<adapter>", "atersokning"),
//   2. the purpose is one the client may use and the partner may be asked under,
//   3. the period is within the partner's limit (LEFI: two years),
//   4. the case is open, registered by this client's organisation, and the person is in its
//      household,
//   5. for a consent-based partner, a consent in force, recorded by this client's organisation,
//      covers every information type exchanged,
//   6. a person once flagged as protected is known as such before any partner answers.
// The services that talk to partners accept only an Authorized* value, and only this step makes
// one, so an adapter added later cannot be reached around it.
#include <chrono>
#include <expected>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
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

// The consent one information type is exchanged under.
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
  friend class ExchangeAuthorizer;
};

// What an exchange that sends something about a person to a partner (återsökning) is held to.
struct ExchangeRequest {
  std::string operation;  // e.g. kOperationAtersokning
  std::string adapter;    // the partner it goes to
  std::string purpose;
  std::string case_id;
  std::string person_id;
  std::string period_from;  // YYYY-MM-DD, empty when the exchange has no period
  std::string period_to;
  std::string information_type;  // what a consent must cover, for a consent-based partner
};

class AuthorizedExchange {
 public:
  ExchangeRequest request;
  std::string purpose_text;
  std::optional<ConsentGrant> consent;
  policy::LegalBasis legal_basis = policy::LegalBasis::law;
  bool known_protected = false;
  std::string organisation;  // the client's: what the exchange records (a SIP consent) belong to

 private:
  AuthorizedExchange() = default;
  friend class ExchangeAuthorizer;
};

class ExchangeAuthorizer {
 public:
  ExchangeAuthorizer(Store& store, std::map<std::string, PurposeConfig> purposes,
                     std::map<std::string, policy::ExchangePolicy> policies);

  // `query` and `sources` are already valid at the edge; lookup_id and client_id are set.
  std::expected<AuthorizedLookup, Refusal> authorize_lookup(const ClientConfig& client, LookupQuery query,
                                                            const std::string& adapter, std::vector<std::string> sources,
                                                            std::chrono::system_clock::time_point now) const;

  std::expected<AuthorizedExchange, Refusal> authorize(const ClientConfig& client, ExchangeRequest request,
                                                       std::chrono::system_clock::time_point now) const;

 private:
  // Checks 1 to 4 for one exchange; on success the purpose's text (syfte) as sent to partners.
  std::expected<std::string, Refusal> check_binding(const ClientConfig& client, const std::string& operation,
                                                    const std::string& adapter, const std::string& purpose,
                                                    const std::string& case_id, const std::string& person_id,
                                                    const std::string& period_from, const std::string& period_to) const;
  // Check 5 for each information type; `field_of(i)` names the request field of type i.
  std::expected<std::map<std::string, ConsentGrant>, Refusal> check_consents(
      const ClientConfig& client, const std::string& adapter, const std::string& person_id,
      const std::vector<std::string>& information_types, const std::function<std::string(std::size_t)>& field_of,
      std::chrono::system_clock::time_point now) const;
  // Check 6.
  bool known_protected(const std::string& person_id, const std::string& exchange) const;
  const policy::ExchangePolicy& policy_of(const std::string& adapter) const;

  Store& store_;
  std::map<std::string, PurposeConfig> purposes_;
  std::map<std::string, policy::ExchangePolicy> policies_;  // by adapter name
  policy::ExchangePolicy default_policy_;
};

}  // namespace knutpunkt::authorization
