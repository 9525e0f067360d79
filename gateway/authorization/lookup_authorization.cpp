#include "authorization/lookup_authorization.h"

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

LookupAuthorizer::LookupAuthorizer(Store& store, std::map<std::string, PurposeConfig> purposes,
                                   std::map<std::string, policy::ExchangePolicy> policies)
    : store_(store), purposes_(std::move(purposes)), policies_(std::move(policies)) {}

std::expected<AuthorizedLookup, Refusal> LookupAuthorizer::authorize(const ClientConfig& client, LookupQuery query,
                                                                     const std::string& adapter,
                                                                     std::vector<std::string> sources,
                                                                     std::chrono::system_clock::time_point now) const {
  // An adapter without a configured policy gets the defaults: law, two years, any purpose the
  // client has. Never "no policy".
  const auto found = policies_.find(adapter);
  const policy::ExchangePolicy exchange = found == policies_.end() ? policy::ExchangePolicy{} : found->second;

  if (!client.may(kOperationLookup, adapter)) {
    return std::unexpected(Refusal{403, "operation_not_allowed", "", "this client may not look up data at this partner",
                                   {{"operation", std::string(kOperationLookup) + ":" + adapter}}});
  }

  const auto purpose = purposes_.find(query.purpose);
  if (purpose == purposes_.end() || !client.purposes.contains(query.purpose)) {
    return std::unexpected(Refusal{403, "purpose_not_allowed", "purpose", "is not a purpose this client may use", {}});
  }
  if (!exchange.purposes.empty() && !exchange.purposes.contains(query.purpose)) {
    return std::unexpected(Refusal{403, "purpose_not_allowed", "purpose",
                                   "is not a purpose this partner may be asked under", {}});
  }
  query.purpose_text = purpose->second.description;

  const auto period = policy::parse_period(query.period_from, query.period_to);
  if (!period || !policy::period_within(*period, exchange.max_period)) {
    return std::unexpected(Refusal{400, "period_too_long", "period.to",
                                   "the period is longer than this partner allows (" +
                                       std::to_string(exchange.max_period.count()) + " months)",
                                   {{"max_period_months", exchange.max_period.count()}}});
  }

  const auto case_file = store_.case_file(client.id, query.case_id);
  if (!case_file) return std::unexpected(store_unavailable("case"));
  switch (policy::check_case_scope(*case_file, query.person_id)) {
    case policy::CaseScope::in_scope:
      break;
    case policy::CaseScope::no_case:
      return std::unexpected(Refusal{403, "no_open_case", "case_id", "names no case this client has registered", {}});
    case policy::CaseScope::case_closed:
      return std::unexpected(Refusal{403, "case_closed", "case_id", "names a closed case", {}});
    case policy::CaseScope::not_in_household:
      return std::unexpected(Refusal{403, "not_in_household", "person", "is not in the household of this case", {}});
  }

  AuthorizedLookup authorized;
  if (exchange.legal_basis == policy::LegalBasis::consent) {
    auto recorded = store_.consents_for_person(query.person_id);
    if (!recorded) return std::unexpected(store_unavailable("consent"));
    // A consent lets the nämnd whose case system recorded it exchange; it is not another
    // client's to rely on.
    std::vector<ConsentRecord> consents;
    for (auto& c : *recorded) {
      if (c.client_id == client.id) consents.push_back(std::move(c));
    }
    nlohmann::json verdicts = nlohmann::json::object();
    std::optional<Refusal> refusal;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const auto checked = consent::check(consents, adapter, sources[i], now);
      nlohmann::json entry = {{"verdict", std::string(consent::to_string(checked.verdict))}};
      if (checked.consent) entry["consent_id"] = checked.consent->consent_id;
      verdicts[sources[i]] = entry;
      if (checked.verdict == consent::Verdict::valid) {
        authorized.consents[sources[i]] = {checked.consent->consent_id, checked.consent->document_reference};
      } else if (!refusal) {
        // One source without consent stops the whole lookup: the caseworker asked for all of
        // them, and a silently shorter answer would read as "nothing there".
        refusal = Refusal{403, std::string(consent::to_string(checked.verdict)),
                          "sources[" + std::to_string(i) + "]",
                          "no consent in force covers this source (" + std::string(consent::to_string(checked.verdict)) + ")",
                          {}};
      }
    }
    if (refusal) {
      refusal->detail = {{"consents", verdicts}};
      return std::unexpected(std::move(*refusal));
    }
  }

  // A person once flagged stays protected. If the store cannot say, protect: stripping an
  // address that could have been shown costs less than showing one that must not be.
  const auto remembered = store_.is_protected(query.person_id);
  if (!remembered) log::warn("lookup.protected_flag_unreadable", {{"lookup_id", query.lookup_id}});
  authorized.known_protected = !remembered || *remembered;

  authorized.query = std::move(query);
  authorized.adapter = adapter;
  authorized.sources = std::move(sources);
  authorized.legal_basis = exchange.legal_basis;
  return authorized;
}

}  // namespace knutpunkt::authorization
