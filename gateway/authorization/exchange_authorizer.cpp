#include "authorization/exchange_authorizer.h"

#include "consent/consent_check.h"
#include "log/log.h"
#include "policy/case_scope.h"
#include "policy/period.h"

namespace knutpunkt::authorization {

namespace {

Refusal store_unavailable(std::string_view doing) {
  return Refusal{503, "store_unavailable", "", "the policy could not be checked: " + std::string(doing), {}};
}

}  // namespace

ExchangeAuthorizer::ExchangeAuthorizer(Store& store, std::map<std::string, PurposeConfig> purposes,
                                       std::map<std::string, policy::ExchangePolicy> policies)
    : store_(store), purposes_(std::move(purposes)), policies_(std::move(policies)) {}

const policy::ExchangePolicy& ExchangeAuthorizer::policy_of(const std::string& adapter) const {
  // An adapter without a configured policy gets the defaults: law, two years, any purpose the
  // client has. Never "no policy".
  const auto found = policies_.find(adapter);
  return found == policies_.end() ? default_policy_ : found->second;
}

std::expected<std::string, Refusal> ExchangeAuthorizer::check_binding(
    const ClientConfig& client, const std::string& operation, const std::string& adapter, const std::string& purpose,
    const std::string& case_id, const std::string& person_id, const std::string& period_from,
    const std::string& period_to) const {
  const policy::ExchangePolicy& exchange = policy_of(adapter);
  const bool granted = operation == kOperationLookup ? client.may(operation, adapter) : client.may(operation);
  if (!granted) {
    const std::string named = operation == kOperationLookup ? operation + ":" + adapter : operation;
    return std::unexpected(Refusal{403, "operation_not_allowed", "", "this client may not use this operation at this partner",
                                   {{"operation", named}}});
  }

  const auto known = purposes_.find(purpose);
  if (known == purposes_.end() || !client.purposes.contains(purpose)) {
    return std::unexpected(Refusal{403, "purpose_not_allowed", "purpose", "is not a purpose this client may use", {}});
  }
  if (!exchange.purposes.empty() && !exchange.purposes.contains(purpose)) {
    return std::unexpected(Refusal{403, "purpose_not_allowed", "purpose",
                                   "is not a purpose this partner may be asked under", {}});
  }

  if (!period_from.empty()) {
    const auto period = policy::parse_period(period_from, period_to);
    if (!period || !policy::period_within(*period, exchange.max_period)) {
      return std::unexpected(Refusal{400, "period_too_long", "period.to",
                                     "the period is longer than this partner allows (" +
                                         std::to_string(exchange.max_period.count()) + " months)",
                                     {{"max_period_months", exchange.max_period.count()}}});
    }
  }

  // Only the client's own organisation's cases count: another organisation's case is no case
  // here, answered as one never registered (its existence is secret, 26 kap. 1 § OSL).
  const auto case_file = store_.case_file(client.organisation, case_id);
  if (!case_file) return std::unexpected(store_unavailable("case"));
  switch (policy::check_case_scope(*case_file, person_id)) {
    case policy::CaseScope::in_scope:
      break;
    case policy::CaseScope::no_case:
      return std::unexpected(
          Refusal{403, "no_open_case", "case_id", "names no case this client's organisation has registered", {}});
    case policy::CaseScope::case_closed:
      return std::unexpected(Refusal{403, "case_closed", "case_id", "names a closed case", {}});
    case policy::CaseScope::not_in_household:
      return std::unexpected(Refusal{403, "not_in_household", "person", "is not in the household of this case", {}});
  }
  return known->second.description;
}

std::expected<std::map<std::string, ConsentGrant>, Refusal> ExchangeAuthorizer::check_consents(
    const ClientConfig& client, const std::string& adapter, const std::string& person_id,
    const std::vector<std::string>& information_types, const std::function<std::string(std::size_t)>& field_of,
    std::chrono::system_clock::time_point now) const {
  auto recorded = store_.consents_for_person(person_id);
  if (!recorded) return std::unexpected(store_unavailable("consent"));
  // A consent lets the organisation (nämnd) whose case system recorded it, and holds the signed
  // document, exchange; it is not another organisation's to rely on.
  std::vector<ConsentRecord> consents;
  for (auto& c : *recorded) {
    if (!client.organisation.empty() && c.organisation == client.organisation) consents.push_back(std::move(c));
  }
  std::map<std::string, ConsentGrant> grants;
  nlohmann::json verdicts = nlohmann::json::object();
  std::optional<Refusal> refusal;
  for (std::size_t i = 0; i < information_types.size(); ++i) {
    const std::string& type = information_types[i];
    const auto checked = consent::check(consents, adapter, type, now);
    const std::string verdict(consent::to_string(checked.verdict));
    nlohmann::json entry = {{"verdict", verdict}};
    if (checked.consent) entry["consent_id"] = checked.consent->consent_id;
    verdicts[type] = entry;
    if (checked.verdict == consent::Verdict::valid) {
      grants[type] = {checked.consent->consent_id, checked.consent->document_reference};
    } else if (!refusal) {
      // One type without consent stops the whole exchange: the caseworker asked for all of
      // them, and a silently shorter answer would read as "nothing there".
      refusal = Refusal{403, verdict, field_of(i), "no consent in force covers this information type (" + verdict + ")", {}};
    }
  }
  if (refusal) {
    refusal->detail = {{"consents", verdicts}};
    return std::unexpected(std::move(*refusal));
  }
  return grants;
}

bool ExchangeAuthorizer::known_protected(const std::string& person_id, const std::string& exchange) const {
  // A person once flagged stays protected. If the store cannot say, protect: stripping an
  // address that could have been shown costs less than showing one that must not be.
  const auto remembered = store_.is_protected(person_id);
  if (!remembered) log::warn("policy.protected_flag_unreadable", {{"exchange", exchange}});
  return !remembered || *remembered;
}

std::expected<AuthorizedLookup, Refusal> ExchangeAuthorizer::authorize_lookup(
    const ClientConfig& client, LookupQuery query, const std::string& adapter, std::vector<std::string> sources,
    std::chrono::system_clock::time_point now) const {
  auto purpose_text = check_binding(client, kOperationLookup, adapter, query.purpose, query.case_id, query.person_id,
                                    query.period_from, query.period_to);
  if (!purpose_text) return std::unexpected(std::move(purpose_text.error()));

  AuthorizedLookup authorized;
  authorized.legal_basis = policy_of(adapter).legal_basis;
  if (authorized.legal_basis == policy::LegalBasis::consent) {
    auto grants = check_consents(client, adapter, query.person_id, sources,
                                 [](std::size_t i) { return "sources[" + std::to_string(i) + "]"; }, now);
    if (!grants) return std::unexpected(std::move(grants.error()));
    authorized.consents = std::move(*grants);
  }
  authorized.known_protected = known_protected(query.person_id, query.lookup_id);
  query.purpose_text = std::move(*purpose_text);
  authorized.query = std::move(query);
  authorized.adapter = adapter;
  authorized.sources = std::move(sources);
  return authorized;
}

std::expected<AuthorizedExchange, Refusal> ExchangeAuthorizer::authorize(const ClientConfig& client,
                                                                         ExchangeRequest request,
                                                                         std::chrono::system_clock::time_point now) const {
  auto purpose_text = check_binding(client, request.operation, request.adapter, request.purpose, request.case_id,
                                    request.person_id, request.period_from, request.period_to);
  if (!purpose_text) return std::unexpected(std::move(purpose_text.error()));

  AuthorizedExchange authorized;
  authorized.legal_basis = policy_of(request.adapter).legal_basis;
  if (authorized.legal_basis == policy::LegalBasis::consent) {
    auto grants = check_consents(client, request.adapter, request.person_id, {request.information_type},
                                 [](std::size_t) { return std::string(); }, now);
    if (!grants) return std::unexpected(std::move(grants.error()));
    authorized.consent = grants->begin()->second;
  }
  authorized.known_protected = known_protected(request.person_id, request.operation);
  authorized.purpose_text = std::move(*purpose_text);
  authorized.organisation = client.organisation;
  authorized.request = std::move(request);
  return authorized;
}

}  // namespace knutpunkt::authorization
