#include "http/referral_endpoint.h"

#include "core/clock.h"
#include "http/policy_refusal.h"
#include "http/problem.h"
#include "http/referral_request.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

ReferralEndpoint::ReferralEndpoint(ReferralService& referrals, ReferralChanges& changes,
                                   const authorization::ExchangeAuthorizer& authorizer, Store& store)
    : referrals_(referrals), changes_(changes), authorizer_(authorizer), store_(store), keys_(store) {}

namespace {

Problem no_route(std::string code, std::string message) {
  return {422,
          std::move(code),
          "No route for this referral",
          std::move(message),
          {{"district", "no_route", "no Jobbtorg is configured for this municipality and district"}},
          {}};
}

Problem consent_problem(const std::string& state) {
  const std::string code = state == "no_consent" ? state : "consent_" + state;
  return {403,
          code,
          "No consent in force for this referral",
          "consent_reference must name a consent this client recorded in the registry for Jobbtorg about the "
          "person, in force now",
          {{"consent_reference", code, "is not a consent in force for this referral (" + state + ")"}},
          {}};
}

Problem change_failure_problem(const Failure& f) {
  switch (f.kind) {
    case FailureKind::not_found:
      return {404, "not_found", "No such referral", {}, {}, {}};
    case FailureKind::unavailable:
      return {503, "store_unavailable", "Store unavailable", "try again later", {}, {}};
    default:
      return {409, f.code, "The referral cannot take this now", f.message, {{f.field, f.code, f.message}}, {}};
  }
}

// The referral id of a path, checked as an identifier before anything is read.
std::optional<std::string> referral_id_of(Exchange& exchange) {
  const std::string& referral_id = exchange.param("referral_id");
  if (std::vector<InvalidParam> invalid; !valid_identifier(referral_id, "referral_id", invalid)) {
    exchange.refuse(
        {400, "invalid_request", "Invalid referral id", "the referral id is invalid", std::move(invalid), {}});
    return std::nullopt;
  }
  exchange.audit_context()["referral_id"] = referral_id;
  return referral_id;
}

Problem invalid_body(std::string title, std::vector<InvalidParam> invalid) {
  return {400, "invalid_request", std::move(title), "one or more fields are invalid", std::move(invalid), {}};
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
    return exchange.refuse(
        {400, "invalid_request", "Invalid referral", "one or more fields are invalid", std::move(parse.invalid), {}});
  }
  // Routed first: the policy step holds the exchange to the partner it would go to.
  auto routed = referrals_.destination(referral);
  if (!routed) return exchange.refuse(no_route(routed.error().code, routed.error().message));
  auto authorized =
      authorizer_.authorize(client,
                            authorization::ExchangeRequest{kOperationReferral, *routed, referral.purpose,
                                                           referral.case_id, referral.person_id, "", "", "ANVISNING"},
                            std::chrono::system_clock::now());
  if (!authorized) {
    exchange.audit_context()["policy"] = authorized.error().detail;
    return exchange.refuse(policy_problem(authorized.error(), "person_id"));
  }
  // The consent the referral rests on is the registry's, recorded by this very client: a
  // reference the case system merely asserts would let it vouch for itself.
  auto consent = store_.consent(referral.consent_reference);
  if (!consent) return exchange.store_unavailable();
  const std::string consent_state =
      referral_consent_state(*consent, client.id, referral.person_id, *routed, std::chrono::system_clock::now());
  if (consent_state != "in_force") {
    exchange.audit_context()["consent"] = {{"consent_reference", referral.consent_reference}, {"state", consent_state}};
    return exchange.refuse(consent_problem(consent_state));
  }
  referral.consent_id = referral.consent_reference;
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
  // Rendered now: the answer below is given on the audit writer's thread, where every
  // microsecond holds up the next batch of commits.
  Response response = make_json_response(202, answer);
  response.set(bhttp::field::location, "/v1/referrals/" + referral_id);
  std::vector<StoreWrite> extra;
  if (!key->empty()) {
    extra.push_back(store_write::PutIdempotency{
        IdempotencyRecord{client.id, *key, fingerprint, 202, response.body(), prepared->accepted_at}});
  }
  referrals_.commit(
      std::move(*prepared), std::move(extra),
      [exchange, response = std::move(response), referral_id](std::expected<AuditReceipt, Failure> receipt) mutable {
        if (!receipt) {
          log::error("referral.commit_failed", {{"referral_id", referral_id}, {"error", receipt.error().message}});
          return exchange.audit_unavailable("the referral could not be stored; nothing was accepted");
        }
        log::info("referral.accepted",
                  {{"referral_id", referral_id}, {"client", exchange.client().id}, {"audit_seq", receipt->seq}});
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
  nlohmann::json out = {{"referral_id", referral_id},        {"status", (*referral)->status},
                        {"version", (*referral)->version},   {"created_at", (*referral)->created_at},
                        {"referral", (*referral)->referral}, {"messages", nlohmann::json::array()}};
  if (!(*referral)->updated_at.empty()) out["updated_at"] = (*referral)->updated_at;
  for (const OutboxMessage& m : *messages) {
    out["messages"].push_back({{"message_id", m.id},
                               {"destination", m.destination},
                               {"type", m.type},
                               {"status", std::string(to_string(m.status))},
                               {"attempts", m.attempts}});
  }
  // Reading a referral back discloses personal data, so it is audited like any exchange.
  exchange.commit(
      {"referral.read", {{"client", client_id}, {"referral_id", referral_id}, {"case_id", (*referral)->case_id}}, {}},
      "the read could not be audited; try again",
      [out = std::move(out)](const AuditReceipt&) { return make_json_response(200, out); });
}

void ReferralEndpoint::commit_change(Exchange& exchange, std::expected<PreparedReferralChange, Failure> prepared,
                                     const std::string& key, const std::string& fingerprint, nlohmann::json answer) {
  if (!prepared) {
    exchange.audit_context()["refusal"] = prepared.error().code;
    return exchange.refuse(change_failure_problem(prepared.error()));
  }
  const ReferralRecord& referral = prepared->referral;
  answer["referral_id"] = referral.referral_id;
  answer["status"] = referral.status;
  answer["version"] = referral.version;
  answer["links"] = {{"referral", "/v1/referrals/" + referral.referral_id}};
  if (!prepared->message_id.empty()) {
    answer["message"] = {{"message_id", prepared->message_id},
                         {"destination", referral.destination},
                         {"link", "/v1/messages/" + prepared->message_id}};
  }
  if (prepared->unchanged) {
    // Nothing to send or store, but the client read the referral's state: audited as a read.
    return exchange.commit(
        {"referral.unchanged",
         {{"client", exchange.client().id},
          {"referral_id", referral.referral_id},
          {"case_id", referral.case_id},
          {"version", referral.version}},
         {}},
        "the request could not be audited; try again",
        [answer = std::move(answer)](const AuditReceipt&) { return make_json_response(200, answer); });
  }
  AuditedWrite write = std::move(prepared->write);
  write.record["remote_address"] = exchange.remote_address();
  if (!key.empty()) {
    write.writes.push_back(store_write::PutIdempotency{
        IdempotencyRecord{exchange.client().id, key, fingerprint, 202, answer.dump(), now_utc()}});
  }
  const std::string kind = write.kind;
  changes_.commit(std::move(write), [exchange, answer = std::move(answer),
                                     kind](std::expected<AuditReceipt, StoreError> receipt) mutable {
    if (!receipt) {
      // Another change of the same version landed first (on this instance or another).
      if (receipt.error().code == "conflict") {
        return exchange.refuse({409,
                                "changed_concurrently",
                                "The referral changed meanwhile",
                                "read the referral again and send the change again if it still applies",
                                {{"referral_id", "changed_concurrently", "another change landed first"}},
                                {}});
      }
      log::error("referral.change_failed", {{"kind", kind}, {"error", receipt.error().code}});
      return exchange.audit_unavailable("nothing was changed; send it again");
    }
    log::info(kind, {{"referral_id", answer.value("referral_id", "")}, {"audit_seq", receipt->seq}});
    exchange.reply(make_json_response(202, answer));
  });
}

void ReferralEndpoint::change(Exchange exchange) {
  const auto referral_id = referral_id_of(exchange);
  if (!referral_id) return;
  const auto body = exchange.json_object();
  if (!body) return;
  const std::string path = "/v1/referrals/" + *referral_id;
  const std::string fingerprint = request_fingerprint("PATCH", path, exchange.request().body());
  const auto key = claim_idempotency_key(exchange, keys_, fingerprint, "referral_id", "/v1/referrals/");
  if (!key) return;
  auto parse = parse_referral_change(*body);
  if (!parse.ok()) return exchange.refuse(invalid_body("Invalid change", std::move(parse.invalid)));
  auto prepared = changes_.prepare_change(exchange.client().id, *referral_id, parse.change);
  nlohmann::json answer = {{"changes", prepared ? prepared->write.record.value("changes", nlohmann::json::object())
                                                : nlohmann::json::object()}};
  commit_change(exchange, std::move(prepared), *key, fingerprint, std::move(answer));
}

void ReferralEndpoint::withdraw(Exchange exchange) {
  const auto referral_id = referral_id_of(exchange);
  if (!referral_id) return;
  const auto body = exchange.json_object();
  if (!body) return;
  const std::string fingerprint =
      request_fingerprint("POST", "/v1/referrals/" + *referral_id + "/withdrawal", exchange.request().body());
  const auto key = claim_idempotency_key(exchange, keys_, fingerprint, "referral_id", "/v1/referrals/");
  if (!key) return;
  auto parse = parse_referral_withdrawal(*body);
  if (!parse.ok()) return exchange.refuse(invalid_body("Invalid withdrawal", std::move(parse.invalid)));
  auto prepared = changes_.prepare_withdrawal(exchange.client().id, *referral_id, parse.reason);
  nlohmann::json answer = nlohmann::json::object();
  if (prepared) answer["withdrawal"] = prepared->referral.referral.value("withdrawal", nlohmann::json::object());
  commit_change(exchange, std::move(prepared), *key, fingerprint, std::move(answer));
}

void ReferralEndpoint::decide(Exchange exchange) {
  const auto referral_id = referral_id_of(exchange);
  if (!referral_id) return;
  const auto body = exchange.json_object();
  if (!body) return;
  const std::string fingerprint =
      request_fingerprint("POST", "/v1/referrals/" + *referral_id + "/decisions", exchange.request().body());
  const auto key = claim_idempotency_key(exchange, keys_, fingerprint, "referral_id", "/v1/referrals/");
  if (!key) return;
  auto parse = parse_referral_decision(*body);
  if (!parse.ok()) return exchange.refuse(invalid_body("Invalid decision", std::move(parse.invalid)));
  auto prepared = changes_.prepare_decision(exchange.client().id, *referral_id, parse.decision);
  nlohmann::json answer = nlohmann::json::object();
  if (prepared) answer["decision"] = prepared->write.record.value("decision", nlohmann::json::object());
  commit_change(exchange, std::move(prepared), *key, fingerprint, std::move(answer));
}

void ReferralEndpoint::assess(Exchange exchange) {
  const auto referral_id = referral_id_of(exchange);
  if (!referral_id) return;
  const auto body = exchange.json_object();
  if (!body) return;
  const std::string fingerprint =
      request_fingerprint("POST", "/v1/referrals/" + *referral_id + "/assessments", exchange.request().body());
  const auto key = claim_idempotency_key(exchange, keys_, fingerprint, "referral_id", "/v1/referrals/");
  if (!key) return;
  auto parse = parse_referral_assessment(*body, today_utc());
  if (!parse.ok()) return exchange.refuse(invalid_body("Invalid assessment", std::move(parse.invalid)));
  auto prepared = changes_.prepare_assessment(exchange.client().id, *referral_id, parse.assessment);
  nlohmann::json answer = nlohmann::json::object();
  if (prepared) answer["assessment"] = prepared->write.record.value("assessment", nlohmann::json::object());
  commit_change(exchange, std::move(prepared), *key, fingerprint, std::move(answer));
}

}  // namespace knutpunkt::http
