#include "http/atersokning_endpoint.h"

#include <regex>

#include "core/clock.h"
#include "http/policy_refusal.h"
#include "http/request_fields.h"
#include "log/log.h"
#include "policy/period.h"
#include "policy/person_id.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

AtersokningRequestParse parse_atersokning_request(const nlohmann::json& body, std::chrono::year_month_day today) {
  AtersokningRequestParse parse;
  auto& invalid = parse.invalid;
  Atersokning& a = parse.atersokning;
  if (!body.is_object()) {
    invalid.push_back({"", "not_an_object", "the request body must be a JSON object"});
    return parse;
  }
  refuse_unknown_fields(body, "",
                        {"case_id", "person_id", "purpose", "benefit_code", "period", "amount_ore", "decided_on",
                         "caseworker", "protected_identity"},
                        invalid);
  a.case_id = read_text(body, "case_id", "case_id", true, invalid, 64);
  if (auto person = read_person_id(body, "person_id", "person_id", today, invalid)) {
    a.person_id = person->digits;
    a.id_kind = person->kind;
  }
  a.purpose = read_text(body, "purpose", "purpose", true, invalid);
  a.benefit_code = read_text(body, "benefit_code", "benefit_code", true, invalid, 16);
  static const std::regex fk_code("FK:[A-Z]{2,5}");
  if (!a.benefit_code.empty() && !std::regex_match(a.benefit_code, fk_code)) {
    invalid.push_back({"benefit_code", "bad_code", "must be a Försäkringskassan benefit code such as FK:BOB"});
  }
  if (auto period = read_period(body, invalid)) {
    a.period_from = period->from;
    a.period_to = period->to;
  }
  if (auto amount = read_integer(body, "amount_ore", "amount_ore", true, 1, 100'000'000'000LL, invalid)) {
    if (*amount <= kMinAtersokningOre) {
      invalid.push_back({"amount_ore", "below_minimum", "Försäkringskassan takes återsökningar over 1,000 kronor"});
    }
    a.amount_ore = *amount;
  }
  a.decided_on = read_date(body, "decided_on", "decided_on", true, invalid);
  a.caseworker = read_caseworker(body, invalid);
  a.protected_identity = read_flag(body, "protected_identity", false, invalid);
  return parse;
}

void AtersokningEndpoint::create(Exchange exchange) {
  const auto body = exchange.json_object();
  if (!body) return;
  const std::string fingerprint = request_fingerprint("POST", "/v1/atersokningar", exchange.request().body());
  const auto key = claim_idempotency_key(exchange, keys_, fingerprint, "atersokning_id", "/v1/atersokningar/");
  if (!key) return;
  const ClientConfig& client = exchange.client();

  AtersokningRequestParse parse = parse_atersokning_request(*body, today_utc());
  Atersokning& atersokning = parse.atersokning;
  atersokning.client_id = client.id;
  atersokning.unit = atersokning.caseworker.unit;
  // What could be read: an auditor must see who asked for what about whom, also when refused.
  exchange.audit_context()["atersokning"] = to_json(atersokning);
  if (!parse.ok()) {
    return exchange.refuse({400, "invalid_request", "Invalid återsökning", "one or more fields are invalid", std::move(parse.invalid), {}});
  }
  auto destination = atersokningar_.destination(client.id, atersokning.unit);
  if (!destination) {
    return exchange.refuse({422, destination.error().code, "No partner for återsökningar", destination.error().message, {}, {}});
  }
  auto authorized = authorizer_.authorize(
      client,
      authorization::ExchangeRequest{kOperationAtersokning, *destination, atersokning.purpose, atersokning.case_id,
                                     atersokning.person_id, atersokning.period_from, atersokning.period_to,
                                     "ATERSOKNING"},
      std::chrono::system_clock::now());
  if (!authorized) {
    const authorization::Refusal& why = authorized.error();
    exchange.audit_context()["policy"] = why.detail;
    return exchange.refuse(policy_problem(why, "person_id"));
  }

  auto prepared = atersokningar_.prepare(*authorized, std::move(atersokning));
  const std::string atersokning_id = prepared.atersokning_id;
  const nlohmann::json answer = {{"atersokning_id", atersokning_id},
                                 {"status", "accepted"},
                                 {"accepted_at", prepared.accepted_at},
                                 {"destination", prepared.destination},
                                 {"message_id", prepared.message_id}};
  // The key's record commits with the acceptance, so a repeat gets exactly this answer.
  std::vector<StoreWrite> extra;
  if (!key->empty()) {
    extra.push_back(store_write::PutIdempotency{
        IdempotencyRecord{client.id, *key, fingerprint, 202, answer.dump(), prepared.accepted_at}});
  }
  atersokningar_.commit(std::move(prepared), std::move(extra),
                        [exchange, answer, atersokning_id](std::expected<AuditReceipt, Failure> receipt) mutable {
                          if (!receipt) {
                            log::error("atersokning.commit_failed",
                                       {{"atersokning_id", atersokning_id}, {"error", receipt.error().code}});
                            return exchange.audit_unavailable("the återsökning could not be stored; nothing was accepted");
                          }
                          log::info("atersokning.accepted", {{"atersokning_id", atersokning_id},
                                                             {"client", exchange.client().id},
                                                             {"audit_seq", receipt->seq}});
                          exchange.reply(make_json_response(202, answer));
                        });
}

}  // namespace knutpunkt::http
