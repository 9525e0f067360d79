#include "http/referral_endpoint.h"

#include "core/clock.h"
#include "http/policy_refusal.h"
#include "http/problem.h"
#include "http/referral_request.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

ReferralEndpoint::ReferralEndpoint(ReferralService& referrals, const authorization::ExchangeAuthorizer& authorizer,
                                   Store& store)
    : referrals_(referrals), authorizer_(authorizer), store_(store), keys_(store) {}

namespace {

Problem no_route(std::string code, std::string message) {
  return {422, std::move(code), "No route for this referral", std::move(message),
          {{"district", "no_route", "no Jobbtorg is configured for this municipality and district"}}, {}};
}

}  // namespace

void ReferralEndpoint::create(Exchange exchange) {
  const auto body = exchange.json_object();
  if (!body) return;
  const std::string fingerprint = request_fingerprint("POST", "/v1/referrals", exchange.request().body());
  const auto key = claim_idempotency_key(exchange, keys_, fingerprint, "referral_id", "/v1/referrals/");
  if (!key) return;
  const ClientConfig& client = exchange.client();

  ReferralRequestParse parse = parse_referral_request(*body, today_utc());
  Referral& referral = parse.referral;
  referral.client_id = client.id;
  // What could be read: an auditor must see who tried to refer whom even when it was refused.
  exchange.audit_context()["referral"] = to_json(referral);
  if (!parse.ok()) {
    return exchange.refuse({400, "invalid_request", "Invalid referral", "one or more fields are invalid", std::move(parse.invalid), {}});
  }
  // Routed first: the policy step holds the exchange to the partner it would go to.
  auto routed = referrals_.destination(referral);
  if (!routed) return exchange.refuse(no_route(routed.error().code, routed.error().message));
  auto authorized = authorizer_.authorize(
      client,
      authorization::ExchangeRequest{kOperationReferral, *routed, referral.purpose, referral.case_id,
                                     referral.person_id, "", "", "ANVISNING"},
      std::chrono::system_clock::now());
  if (!authorized) {
    exchange.audit_context()["policy"] = authorized.error().detail;
    return exchange.refuse(policy_problem(authorized.error(), "person_id"));
  }
  auto prepared = referrals_.prepare(std::move(referral));
  if (!prepared) return exchange.refuse(no_route(prepared.error().code, prepared.error().message));
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
  if (!key->empty()) {
    extra.push_back(store_write::PutIdempotency{
        IdempotencyRecord{client.id, *key, fingerprint, 202, answer.dump(), prepared->accepted_at}});
  }
  referrals_.commit(std::move(*prepared), std::move(extra),
                    [exchange, answer = std::move(answer), referral_id](std::expected<AuditReceipt, Failure> receipt) mutable {
                      if (!receipt) {
                        log::error("referral.commit_failed", {{"referral_id", referral_id}, {"error", receipt.error().message}});
                        return exchange.audit_unavailable("the referral could not be stored; nothing was accepted");
                      }
                      log::info("referral.accepted", {{"referral_id", referral_id}, {"client", exchange.client().id},
                                                      {"audit_seq", receipt->seq}});
                      Response response = make_json_response(202, answer);
                      response.set(bhttp::field::location, "/v1/referrals/" + referral_id);
                      exchange.reply(std::move(response));
                    });
}

void ReferralEndpoint::show(Exchange exchange) {
  const std::string& referral_id = exchange.param("referral_id");
  const std::string& client_id = exchange.client().id;
  if (std::vector<InvalidParam> invalid; !valid_identifier(referral_id, "referral_id", invalid)) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid referral id", "the referral id is invalid", std::move(invalid), {}});
  }
  auto referral = store_.referral(referral_id);
  if (!referral) return exchange.store_unavailable();
  // Another client's referral is "not found", not "forbidden": its existence is not disclosed.
  // Audited: asking for other clients' referral ids is what a log check looks for.
  if (!*referral || (*referral)->client_id != client_id) {
    return exchange.refuse({404, "not_found", "No such referral", {}, {}, {}});
  }
  auto messages = store_.messages_by_ordering_key(referral_id);
  if (!messages) return exchange.store_unavailable();
  nlohmann::json out = {{"referral_id", referral_id},
                        {"created_at", (*referral)->created_at},
                        {"referral", (*referral)->referral},
                        {"messages", nlohmann::json::array()}};
  for (const OutboxMessage& m : *messages) {
    out["messages"].push_back({{"message_id", m.id}, {"destination", m.destination}, {"type", m.type},
                               {"status", std::string(to_string(m.status))}, {"attempts", m.attempts}});
  }
  // Reading a referral back discloses personal data, so it is audited like any exchange.
  exchange.commit({"referral.read", {{"client", client_id}, {"referral_id", referral_id}, {"case_id", (*referral)->case_id}}, {}},
                  "the read could not be audited; try again",
                  [out = std::move(out)](const AuditReceipt&) { return make_json_response(200, out); });
}

}  // namespace knutpunkt::http
