#include "http/lookup_endpoint.h"

#include "core/clock.h"
#include "core/ids.h"
#include "http/lookup_request.h"
#include "http/policy_refusal.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

struct LookupEndpoint::Refusal {
  Problem problem;
  std::string lookup_id;         // assigned once the request was valid; a new one otherwise
  nlohmann::json policy_detail;  // what the policy step found (e.g. consent verdicts per source)
  LookupRequest request;         // what could be read of it
};

namespace {

nlohmann::json refusal_audit_body(const std::string& lookup_id, const Problem& problem, const std::string& client_id,
                                  const std::string& adapter, const std::string& remote_address,
                                  const LookupRequest& request, const nlohmann::json& policy_detail) {
  const auto& q = request.query;
  nlohmann::json body = {
      {"lookup_id", lookup_id},
      {"outcome", "refused"},
      {"status", problem.status},
      {"code", problem.code},
      {"client", client_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(client_id)},
      {"adapter", adapter},
      {"remote_address", remote_address},
  };
  // What the request claimed, as far as it could be read: an auditor must see who tried to look up
  // whom even when the attempt was refused. Personal data here is legitimate: this is the audit log.
  if (!request.person_as_given.empty()) body["person_as_given"] = request.person_as_given;
  if (!q.person_id.empty()) body["person"] = {{"id", q.person_id}, {"kind", q.id_kind}};
  if (!q.case_id.empty()) body["case_id"] = q.case_id;
  if (!q.purpose.empty()) body["purpose"] = q.purpose;
  if (!q.legal_basis.empty()) body["legal_basis"] = q.legal_basis;
  if (!q.caseworker.id.empty()) body["caseworker"] = {{"id", q.caseworker.id}, {"unit", q.caseworker.unit}};
  if (!request.sources.empty()) body["sources_asked"] = request.sources;
  if (!q.period_from.empty()) body["period"] = {{"from", q.period_from}, {"to", q.period_to}};
  if (policy_detail.is_object() && !policy_detail.empty()) body["policy"] = policy_detail;
  if (!problem.invalid_params.empty()) {
    auto& params = body["invalid_params"] = nlohmann::json::array();
    for (const auto& p : problem.invalid_params) params.push_back({{"name", p.name}, {"code", p.code}});
  }
  return body;
}

}  // namespace

LookupEndpoint::LookupEndpoint(LookupService& lookups, const authorization::ExchangeAuthorizer& authorizer,
                               AuditLog& audit)
    : lookups_(lookups), authorizer_(authorizer), audit_(audit) {}

void LookupEndpoint::refuse(Exchange& exchange, Problem problem) {
  refuse(exchange, Refusal{std::move(problem), {}, {}, {}});
}

void LookupEndpoint::refuse(Exchange& exchange, Refusal refusal) {
  const std::string lookup_id = refusal.lookup_id.empty() ? new_uuid() : refusal.lookup_id;
  refusal.problem.lookup_id = lookup_id;
  const std::string client_id = exchange.caller() ? exchange.caller()->id : "";
  log::info("lookup.refused", {{"lookup_id", lookup_id},
                               {"status", refusal.problem.status},
                               {"code", refusal.problem.code},
                               {"client", client_id}});
  auto body = refusal_audit_body(lookup_id, refusal.problem, client_id, exchange.param("adapter"),
                                 exchange.remote_address(), refusal.request, refusal.policy_detail);
  audit_.append(
      "lookup.refused", std::move(body),
      [problem = std::move(refusal.problem), exchange](std::expected<AuditReceipt, StoreError> receipt) mutable {
        if (!receipt) {
          log::error("lookup.audit_failed", {{"lookup_id", problem.lookup_id}, {"error", receipt.error().code}});
          exchange.reply(make_problem_response({503,
                                                "audit_unavailable",
                                                "Audit log unavailable",
                                                "the request could not be audited and was not processed",
                                                {},
                                                problem.lookup_id}));
          return;
        }
        exchange.reply(make_problem_response(problem));
      });
}

void LookupEndpoint::handle(Exchange exchange) {
  const std::string& adapter_name = exchange.param("adapter");
  const ClientConfig& client = exchange.client();
  Refusal refusal;
  LookupAdapter* adapter = lookups_.adapter(adapter_name);
  if (adapter == nullptr) {
    refusal.problem = {
        404, "unknown_adapter", "No such lookup adapter", "no lookup adapter is configured under this name", {}, {}};
    return refuse(exchange, std::move(refusal));
  }
  if (!is_json(exchange.request())) {
    refusal.problem = {
        415, "unsupported_media_type", "Unsupported media type", "the request body must be application/json", {}, {}};
    return refuse(exchange, std::move(refusal));
  }
  nlohmann::json body = nlohmann::json::parse(exchange.request().body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    refusal.problem = {400,
                       "invalid_json",
                       "Invalid JSON",
                       "the request body is not valid JSON",
                       {{"", "invalid_json", "is not valid JSON"}},
                       {}};
    return refuse(exchange, std::move(refusal));
  }

  LookupRequestParse parse = parse_lookup_request(body, adapter->sources(), today_utc());
  refusal.request = parse.request;
  if (!parse.ok()) {
    refusal.problem = {
        400, "invalid_request", "Invalid lookup request", "one or more fields are invalid", std::move(parse.invalid),
        {}};
    return refuse(exchange, std::move(refusal));
  }

  LookupQuery query = std::move(parse.request.query);
  query.lookup_id = new_uuid();
  query.client_id = client.id;
  auto authorized = authorizer_.authorize_lookup(client, query, adapter_name, parse.request.sources,
                                                 std::chrono::system_clock::now());
  if (!authorized) {
    const authorization::Refusal& why = authorized.error();
    refusal.lookup_id = query.lookup_id;
    refusal.policy_detail = why.detail;
    refusal.problem = policy_problem(why);
    return refuse(exchange, std::move(refusal));
  }
  log::info("lookup.started", {{"lookup_id", query.lookup_id},
                               {"client", client.id},
                               {"adapter", adapter_name},
                               {"sources", parse.request.sources}});
  lookups_.lookup(std::move(*authorized), [exchange](std::expected<LookupAnswer, Failure> answer) mutable {
    if (!answer) {
      exchange.reply(make_problem_response({503,
                                            answer.error().code,
                                            "Audit log unavailable",
                                            "the lookup could not be audited, so no data is released",
                                            {},
                                            {}}));
      return;
    }
    nlohmann::json sources_summary = nlohmann::json::object();
    for (const auto& o : answer->outcomes) sources_summary[o.source] = to_string(o.status);
    log::info("lookup.completed", {{"lookup_id", answer->query.lookup_id},
                                   {"outcome", answer->complete() ? "complete" : "partial"},
                                   {"sources", sources_summary},
                                   {"audit_seq", answer->audit.seq}});
    exchange.reply(make_json_response(200, to_json(std::move(*answer))));
  });
}

nlohmann::json to_json(LookupAnswer answer) {
  auto& q = answer.query;
  nlohmann::json sources = nlohmann::json::object();
  for (auto& outcome : answer.outcomes) {
    nlohmann::json entry = {{"status", std::string(to_string(outcome.status))},
                            {"latency_ms", outcome.latency.count()}};
    if (outcome.status == SourceStatus::ok) {
      auto& events = entry["events"] = nlohmann::json::array();
      for (auto& event : outcome.events) events.push_back(knutpunkt::to_json(std::move(event)));
      if (!outcome.deviations.empty()) entry["deviations"] = std::move(outcome.deviations);
      if (!outcome.contract_version.empty()) entry["contract_version"] = outcome.contract_version;
    } else {
      entry["code"] = outcome.partner_code;
      entry["message"] = outcome.partner_message;
    }
    sources[outcome.source] = std::move(entry);
  }
  return {
      {"lookup_id", q.lookup_id},
      {"status", answer.complete() ? "complete" : "partial"},
      {"case_id", q.case_id},
      {"period", {{"from", q.period_from}, {"to", q.period_to}}},
      {"person", {{"id", q.person_id}, {"kind", q.id_kind}, {"protected_identity", answer.protected_identity}}},
      {"sources", std::move(sources)},
      {"audit", {{"seq", answer.audit.seq}, {"hash", std::move(answer.audit.hash)}}},
  };
}

}  // namespace knutpunkt::http
