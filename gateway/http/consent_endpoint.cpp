#include "http/consent_endpoint.h"

#include <regex>

#include "consent/consent_check.h"
#include "core/clock.h"
#include "core/ids.h"
#include "http/audited_refusal.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"
#include "policy/person_id.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

// A consent recorded with a signing time this far ahead is a mistake, not a plan.
constexpr auto kFutureTolerance = std::chrono::hours{24};

std::string state_at(const ConsentRecord& c, std::chrono::system_clock::time_point now) {
  // Judged for one of its own information types: scope is not the question here, time is. A SIP
  // consent is scoped by organisations instead; its time is judged the same way.
  ConsentRecord timed = c;
  if (timed.information_types.empty()) timed.information_types = {"*"};
  const auto verdict = consent::check({timed}, c.partner, *timed.information_types.begin(), now).verdict;
  switch (verdict) {
    case consent::Verdict::valid:
      return "in_force";
    case consent::Verdict::withdrawn:
      return "withdrawn";
    case consent::Verdict::expired:
      return "expired";
    default:
      return "not_yet_valid";
  }
}

}  // namespace

nlohmann::json consent_view(const ConsentRecord& c, std::chrono::system_clock::time_point now) {
  nlohmann::json out = {{"consent_id", c.consent_id},
                        {"person_id", c.person_id},
                        {"partner", c.partner},
                        {"information_types", c.information_types},
                        {"given_at", c.given_at},
                        {"expires_at", c.expires_at},
                        {"document_reference", c.document_reference},
                        {"case_id", c.case_id},
                        {"recorded_at", c.recorded_at},
                        {"state", state_at(c, now)}};
  if (!c.withdrawn_at.empty()) out["withdrawn_at"] = c.withdrawn_at;
  // A SIP consent's scope is organisations (participants), not information types.
  if (!c.organisations.empty()) out["organisations"] = c.organisations;
  return out;
}


void ConsentEndpoint::record(Request&& request, const RequestContext& context, Reply reply) {
  nlohmann::json audit_context = {{"operation", "record"}, {"remote_address", context.remote_address}};
  const ClientConfig* client = require_case_system(auth_, audit_, "consent.refused", request, audit_context, reply);
  if (!client) return;
  const auto refuse = [&](Problem p) { refuse_audited(audit_, "consent.refused", std::move(p), audit_context, std::move(reply)); };
  const auto parsed = read_json_object(request, refuse);
  if (!parsed) return;
  const nlohmann::json& body = *parsed;
  std::vector<InvalidParam> invalid;
  refuse_unknown_fields(body, "",
                        {"person_id", "partner", "information_types", "given_at", "expires_at", "document_reference",
                         "case_id"},
                        invalid);
  ConsentRecord c;
  if (auto person = read_person_id(body, "person_id", "person_id", today_utc(), invalid)) {
    c.person_id = person->digits;
    c.id_kind = person->kind;
  }
  c.partner = read_text(body, "partner", "partner", true, invalid, 64);
  if (!c.partner.empty() && !partners_.contains(c.partner)) {
    invalid.push_back({"partner", "unknown_partner", "must name a partner adapter configured in this gateway"});
  }
  static const std::regex type_code("[A-Z][A-Z0-9_]{0,39}");
  if (auto types = body.find("information_types"); types == body.end() || !types->is_array() || types->empty()) {
    invalid.push_back({"information_types", "missing", "is required as a non-empty array of information type codes"});
  } else {
    for (std::size_t i = 0; i < types->size(); ++i) {
      const auto& t = (*types)[i];
      if (!t.is_string() || !std::regex_match(t.get<std::string>(), type_code)) {
        invalid.push_back({"information_types[" + std::to_string(i) + "]", "bad_code",
                           "must be an information type code such as HANDLINGSPLAN"});
      } else {
        c.information_types.insert(t.get<std::string>());
      }
    }
  }
  c.given_at = read_text(body, "given_at", "given_at", true, invalid, 40);
  c.expires_at = read_text(body, "expires_at", "expires_at", true, invalid, 40);
  const auto given = parse_utc(c.given_at);
  const auto expires = parse_utc(c.expires_at);
  if (!c.given_at.empty() && !given) invalid.push_back({"given_at", "bad_time", "must be a date or an RFC 3339 UTC time"});
  if (!c.expires_at.empty() && !expires) {
    invalid.push_back({"expires_at", "bad_time", "must be a date or an RFC 3339 UTC time"});
  }
  const auto now = std::chrono::system_clock::now();
  if (given && *given > now + kFutureTolerance) {
    invalid.push_back({"given_at", "in_future", "a consent cannot be given in the future"});
  }
  if (given && expires && *expires <= *given) {
    invalid.push_back({"expires_at", "before_given", "must be after given_at"});
  }
  c.document_reference = read_text(body, "document_reference", "document_reference", true, invalid, 128);
  c.case_id = read_text(body, "case_id", "case_id", true, invalid, 64);
  c.client_id = client->id;
  audit_context["consent"] = {{"person_id", c.person_id}, {"partner", c.partner}, {"case_id", c.case_id}};
  if (!invalid.empty()) {
    return refuse({400, "invalid_request", "Invalid consent", "one or more fields are invalid", std::move(invalid), {}});
  }

  c.consent_id = new_uuid();
  c.recorded_at = now_utc();
  nlohmann::json view = consent_view(c, now);
  nlohmann::json audit_body = view;
  audit_body["client"] = client->id;
  audit_body["remote_address"] = context.remote_address;
  audit_.append("consent.recorded", std::move(audit_body), {store_write::PutConsent{c}},
                [reply = std::move(reply), view = std::move(view)](std::expected<AuditReceipt, StoreError> receipt) {
                  if (!receipt) {
                    return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable",
                                                        "the consent was not recorded", {}, {}}));
                  }
                  log::info("consent.recorded", {{"consent_id", view["consent_id"]}, {"audit_seq", receipt->seq}});
                  Response response = make_json_response(201, view);
                  response.set(bhttp::field::location, "/v1/consents/" + view["consent_id"].get<std::string>());
                  reply(std::move(response));
                });
}

void ConsentEndpoint::withdraw(const std::string& consent_id, Request&& request, const RequestContext& context,
                               Reply reply) {
  nlohmann::json audit_context = {
      {"operation", "withdraw"}, {"consent_id", consent_id}, {"remote_address", context.remote_address}};
  const ClientConfig* client = require_case_system(auth_, audit_, "consent.refused", request, audit_context, reply);
  if (!client) return;
  auto found = store_.consent(consent_id);
  if (!found) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
  // Another client's consent is "not found": its existence is not disclosed.
  if (!*found || (*found)->client_id != client->id) {
    return refuse_audited(audit_, "consent.refused", {404, "not_found", "No such consent", {}, {}, {}}, audit_context,
                          std::move(reply));
  }
  ConsentRecord c = std::move(**found);
  const auto now = std::chrono::system_clock::now();
  if (!c.withdrawn_at.empty()) return reply(make_json_response(200, consent_view(c, now)));  // idempotent
  c.withdrawn_at = now_utc();
  nlohmann::json view = consent_view(c, now);
  nlohmann::json audit_body = view;
  audit_body["client"] = client->id;
  audit_body["remote_address"] = context.remote_address;
  auto on_durable = [reply = std::move(reply), view](std::expected<AuditReceipt, StoreError> receipt) {
                  if (!receipt) {
                    return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable",
                                                        "the withdrawal was not recorded; send it again", {}, {}}));
                  }
                  log::info("consent.withdrawn", {{"consent_id", view["consent_id"]}, {"audit_seq", receipt->seq}});
                  reply(make_json_response(200, view));
                };
  std::vector<StoreWrite> writes{store_write::WithdrawConsent{c.consent_id, c.withdrawn_at}};
  if (commit_withdrawal_) {
    return commit_withdrawal_(c, client->id, "consent.withdrawn", std::move(audit_body), std::move(writes),
                              std::move(on_durable));
  }
  audit_.append("consent.withdrawn", std::move(audit_body), std::move(writes), std::move(on_durable));
}

void ConsentEndpoint::list(Request&& request, const RequestContext& context, Reply reply) {
  nlohmann::json audit_context = {{"operation", "list"}, {"remote_address", context.remote_address}};
  const ClientConfig* client = require_case_system(auth_, audit_, "consent.refused", request, audit_context, reply);
  if (!client) return;
  auto params = query_parameters(to_std(request.target()));
  std::vector<InvalidParam> invalid;
  std::string person_id;
  if (!params || !params->contains("person_id")) {
    invalid.push_back({"person_id", "missing", "is required as a query parameter"});
  } else {
    for (const auto& [name, value] : *params) {
      if (name != "person_id") invalid.push_back({name, "unknown_parameter", "is not a known parameter"});
    }
    auto id = policy::parse_person_id((*params)["person_id"], today_utc());
    if (!id) invalid.push_back({"person_id", id.error().code, id.error().reason});
    else person_id = id->digits;
  }
  if (!invalid.empty()) {
    return refuse_audited(audit_, "consent.refused",
                          {400, "invalid_query", "Invalid query", "one or more parameters are invalid", std::move(invalid), {}},
                          audit_context, std::move(reply));
  }
  auto consents = store_.consents_for_person(person_id);
  if (!consents) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
  const auto now = std::chrono::system_clock::now();
  nlohmann::json out = {{"person_id", person_id}, {"consents", nlohmann::json::array()}};
  nlohmann::json ids = nlohmann::json::array();
  for (const ConsentRecord& c : *consents) {
    if (c.client_id != client->id) continue;
    out["consents"].push_back(consent_view(c, now));
    ids.push_back(c.consent_id);
  }
  audit_.append("consent.read", {{"client", client->id}, {"person_id", person_id}, {"consent_ids", ids}},
                [reply = std::move(reply), out = std::move(out)](std::expected<AuditReceipt, StoreError> receipt) {
                  if (!receipt) return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable", {}, {}, {}}));
                  reply(make_json_response(200, out));
                });
}

}  // namespace knutpunkt::http
