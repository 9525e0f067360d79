#include "http/referral_endpoint.h"

#include "core/clock.h"
#include "http/audited_refusal.h"
#include "http/policy_refusal.h"
#include "http/problem.h"
#include "http/referral_request.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

ReferralEndpoint::ReferralEndpoint(ReferralService& referrals, const authorization::ExchangeAuthorizer& authorizer,
                                   Store& store, AuditLog& audit, const ClientAuth& auth)
    : referrals_(referrals), authorizer_(authorizer), store_(store), audit_(audit), auth_(auth), keys_(store) {}

void ReferralEndpoint::create(Request&& request, const RequestContext& context, Reply reply) {
  nlohmann::json audit_context = {{"remote_address", context.remote_address}};
  const auto refuse = [&](Problem problem) {
    refuse_audited(audit_, "referral.refused", std::move(problem), audit_context, std::move(reply));
  };
  const ClientConfig* client = auth_.authenticate(to_std(request[bhttp::field::authorization]));
  if (!client) {
    return refuse({401, "unauthenticated", "Authentication required",
                   "a valid bearer token is required in the Authorization header", {}, {}});
  }
  audit_context["client"] = client->id;
  if (!client->roles.contains(kRoleCaseSystem)) {
    return refuse({403, "role_not_allowed", "Not allowed", "only case systems may send referrals", {}, {}});
  }
  if (!is_json(request)) {
    return refuse({415, "unsupported_media_type", "Unsupported media type", "the request body must be application/json", {}, {}});
  }
  const std::string key(to_std(request["Idempotency-Key"]));
  const bool key_given = request.find("Idempotency-Key") != request.end();
  if (key_given && valid_idempotency_key(key)) audit_context["idempotency_key"] = key;
  nlohmann::json body = nlohmann::json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return refuse({400, "invalid_json", "Invalid JSON", "the request body is not valid JSON",
                   {{"", "invalid_json", "is not valid JSON"}}, {}});
  }
  const std::string fingerprint = request_fingerprint("POST", "/v1/referrals", request.body());
  if (!begin_idempotent(keys_, client->id, key, key_given, fingerprint, refuse, reply, "referral_id", "/v1/referrals/")) {
    return;
  }
  const auto release = [this, client_id = client->id, key] {
    if (!key.empty()) keys_.release(client_id, key);
  };

  ReferralRequestParse parse = parse_referral_request(body, today_utc());
  Referral& referral = parse.referral;
  referral.client_id = client->id;
  // What could be read: an auditor must see who tried to refer whom even when it was refused.
  audit_context["referral"] = to_json(referral);
  if (!parse.ok()) {
    release();
    return refuse({400, "invalid_request", "Invalid referral", "one or more fields are invalid", std::move(parse.invalid), {}});
  }
  // Routed first: the policy step holds the exchange to the partner it would go to.
  auto routed = referrals_.destination(referral);
  if (!routed) {
    release();
    return refuse({422, routed.error().code, "No route for this referral", routed.error().message,
                   {{"district", "no_route", "no Jobbtorg is configured for this municipality and district"}}, {}});
  }
  auto authorized = authorizer_.authorize(
      *client,
      authorization::ExchangeRequest{kOperationReferral, *routed, referral.purpose, referral.case_id,
                                     referral.person_id, "", "", "ANVISNING"},
      std::chrono::system_clock::now());
  if (!authorized) {
    release();
    audit_context["policy"] = authorized.error().detail;
    return refuse(policy_problem(authorized.error(), "person_id"));
  }
  auto prepared = referrals_.prepare(std::move(referral));
  if (!prepared) {
    release();
    return refuse({422, prepared.error().code, "No route for this referral", prepared.error().message,
                   {{"district", "no_route", "no Jobbtorg is configured for this municipality and district"}}, {}});
  }
  const std::string referral_id = prepared->referral.referral_id;
  nlohmann::json messages = nlohmann::json::array();
  for (const auto& [destination, id] : prepared->messages) {
    messages.push_back({{"message_id", id}, {"destination", destination}, {"link", "/v1/messages/" + id}});
  }
  nlohmann::json answer = {{"referral_id", referral_id},
                           {"status", prepared->manual_item_id.empty() ? "accepted" : "held_for_manual_handling"},
                           {"accepted_at", prepared->accepted_at},
                           {"messages", messages},
                           {"links", {{"referral", "/v1/referrals/" + referral_id}}}};
  if (!prepared->manual_item_id.empty()) {
    answer["manual_handling"] = {{"manual_item_id", prepared->manual_item_id}, {"reason", "protected_identity"}};
  }
  std::vector<StoreWrite> extra;
  if (!key.empty()) {
    extra.push_back(store_write::PutIdempotency{
        IdempotencyRecord{client->id, key, fingerprint, 202, answer.dump(), prepared->accepted_at}});
  }
  const std::string client_id = client->id;
  referrals_.commit(std::move(*prepared), std::move(extra),
                    [reply = std::move(reply), answer = std::move(answer), release, referral_id,
                     client_id](std::expected<AuditReceipt, Failure> receipt) {
                      release();
                      if (!receipt) {
                        log::error("referral.commit_failed", {{"referral_id", referral_id}, {"error", receipt.error().message}});
                        return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable",
                                                            "the referral could not be stored; nothing was accepted", {}, {}}));
                      }
                      log::info("referral.accepted", {{"referral_id", referral_id}, {"client", client_id},
                                                      {"audit_seq", receipt->seq}});
                      Response response = make_json_response(202, answer);
                      response.set(bhttp::field::location, "/v1/referrals/" + referral_id);
                      reply(std::move(response));
                    });
}

void ReferralEndpoint::show(const std::string& referral_id, Request&& request, Reply reply) {
  nlohmann::json audit_context = {{"referral_id", referral_id}};
  const ClientConfig* client = auth_.authenticate(to_std(request[bhttp::field::authorization]));
  if (!client) {
    return refuse_audited(audit_, "referral.read_refused", {401, "unauthenticated", "Authentication required", {}, {}, {}},
                          audit_context, std::move(reply));
  }
  audit_context["client"] = client->id;
  auto referral = store_.referral(referral_id);
  if (!referral) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
  // Another client's referral is "not found", not "forbidden": its existence is not disclosed.
  // Audited: asking for other clients' referral ids is what a log check looks for.
  if (!*referral || (*referral)->client_id != client->id) {
    return refuse_audited(audit_, "referral.read_refused", {404, "not_found", "No such referral", {}, {}, {}},
                          audit_context, std::move(reply));
  }
  auto messages = store_.messages_by_ordering_key(referral_id);
  if (!messages) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
  nlohmann::json out = {{"referral_id", referral_id},
                        {"created_at", (*referral)->created_at},
                        {"referral", (*referral)->referral},
                        {"messages", nlohmann::json::array()}};
  for (const OutboxMessage& m : *messages) {
    out["messages"].push_back({{"message_id", m.id}, {"destination", m.destination}, {"type", m.type},
                               {"status", std::string(to_string(m.status))}, {"attempts", m.attempts}});
  }
  // Reading a referral back discloses personal data, so it is audited like any exchange.
  audit_.append("referral.read", {{"client", client->id}, {"referral_id", referral_id}, {"case_id", (*referral)->case_id}},
                [reply = std::move(reply), out = std::move(out)](std::expected<AuditReceipt, StoreError> receipt) {
                  if (!receipt) return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable", {}, {}, {}}));
                  reply(make_json_response(200, out));
                });
}

}  // namespace knutpunkt::http
