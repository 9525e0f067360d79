#include "http/consent_endpoint.h"

#include <algorithm>

#include "core/clock.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"
#include "policy/person_id.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

// A consent recorded with a signing time this far ahead is a mistake, not a plan.
constexpr auto kFutureTolerance = std::chrono::hours{24};

// An information type code such as HANDLINGSPLAN: [A-Z][A-Z0-9_]{0,39}.
bool is_type_code(const std::string& code) {
  if (code.empty() || code.size() > 40 || code[0] < 'A' || code[0] > 'Z') return false;
  return std::all_of(code.begin(), code.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

void read_information_types(const nlohmann::json& body, std::set<std::string>& types,
                            std::vector<InvalidParam>& invalid) {
  auto found = body.find("information_types");
  if (found == body.end() || !found->is_array() || found->empty()) {
    invalid.push_back({"information_types", "missing", "is required as a non-empty array of information type codes"});
    return;
  }
  for (std::size_t i = 0; i < found->size(); ++i) {
    const auto& t = (*found)[i];
    if (!t.is_string() || !is_type_code(t.get<std::string>())) {
      invalid.push_back({"information_types[" + std::to_string(i) + "]", "bad_code",
                         "must be an information type code such as HANDLINGSPLAN"});
    } else {
      types.insert(t.get<std::string>());
    }
  }
}

void read_validity(const nlohmann::json& body, ConsentRecord& c, std::chrono::system_clock::time_point now,
                   std::vector<InvalidParam>& invalid) {
  c.given_at = read_text(body, "given_at", "given_at", true, invalid, 40);
  c.expires_at = read_text(body, "expires_at", "expires_at", true, invalid, 40);
  const auto given = parse_utc(c.given_at);
  const auto expires = parse_utc(c.expires_at);
  if (!c.given_at.empty() && !given)
    invalid.push_back({"given_at", "bad_time", "must be a date or an RFC 3339 UTC time"});
  if (!c.expires_at.empty() && !expires) {
    invalid.push_back({"expires_at", "bad_time", "must be a date or an RFC 3339 UTC time"});
  }
  if (given && *given > now + kFutureTolerance) {
    invalid.push_back({"given_at", "in_future", "a consent cannot be given in the future"});
  }
  if (given && expires && *expires <= *given) {
    invalid.push_back({"expires_at", "before_given", "must be after given_at"});
  }
}

// The recorder vouches that the signed document exists at its own organisation; it cannot vouch
// for another organisation's archive. Absent means its own.
void read_holder(const nlohmann::json& body, ConsentRecord& c, std::vector<InvalidParam>& invalid) {
  c.held_by = c.organisation;
  if (!body.contains("held_by")) return;
  const std::string held_by = read_text(body, "held_by", "held_by", false, invalid, 64);
  if (!held_by.empty() && held_by != c.organisation) {
    invalid.push_back({"held_by", "not_own_organisation",
                       "must be the recording client's own organisation: it vouches only for documents it holds"});
  }
}

}  // namespace

void ConsentEndpoint::record(Exchange exchange) {
  exchange.audit_context()["operation"] = "record";
  const auto body = exchange.json_object();
  if (!body) return;
  std::vector<InvalidParam> invalid;
  refuse_unknown_fields(*body, "",
                        {"person_id", "partner", "information_types", "given_at", "expires_at", "document_reference",
                         "case_id", "held_by"},
                        invalid);
  ConsentRecord c;
  if (auto person = read_person_id(*body, "person_id", "person_id", today_utc(), invalid)) {
    c.person_id = person->digits;
    c.id_kind = person->kind;
  }
  c.partner = read_text(*body, "partner", "partner", true, invalid, 64);
  if (!c.partner.empty() && !partners_.contains(c.partner)) {
    invalid.push_back({"partner", "unknown_partner", "must name a partner adapter configured in this gateway"});
  }
  read_information_types(*body, c.information_types, invalid);
  const auto now = std::chrono::system_clock::now();
  read_validity(*body, c, now, invalid);
  c.document_reference = read_text(*body, "document_reference", "document_reference", true, invalid, 128);
  c.case_id = read_text(*body, "case_id", "case_id", true, invalid, 64);
  c.client_id = exchange.client().id;
  c.organisation = exchange.client().organisation;
  read_holder(*body, c, invalid);
  exchange.audit_context()["consent"] = {{"person_id", c.person_id}, {"partner", c.partner}, {"case_id", c.case_id}};
  if (!invalid.empty()) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid consent", "one or more fields are invalid", std::move(invalid), {}});
  }
  auto [consent, write] = registry_.prepare_record(std::move(c), now);
  write.record["remote_address"] = exchange.remote_address();
  exchange.commit(std::move(write), "the consent was not recorded",
                  [view = consent::to_json(consent, now)](const AuditReceipt& receipt) {
                    log::info("consent.recorded", {{"consent_id", view["consent_id"]}, {"audit_seq", receipt.seq}});
                    Response response = make_json_response(201, view);
                    response.set(bhttp::field::location, "/v1/consents/" + view["consent_id"].get<std::string>());
                    return response;
                  });
}

void ConsentEndpoint::withdraw(Exchange exchange) {
  exchange.audit_context()["operation"] = "withdraw";
  if (std::vector<InvalidParam> invalid; !valid_identifier(exchange.param("consent_id"), "consent_id", invalid)) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid consent id", "the consent id is invalid", std::move(invalid), {}});
  }
  const auto now = std::chrono::system_clock::now();
  auto plan = registry_.prepare_withdrawal(exchange.client().id, exchange.client().organisation,
                                           exchange.param("consent_id"), now);
  if (!plan) return exchange.store_unavailable();
  // Another organisation's consent is "not found": its existence is not disclosed.
  if (std::holds_alternative<consent::NotFound>(*plan)) {
    return exchange.refuse({404, "not_found", "No such consent", {}, {}, {}});
  }
  if (auto* done = std::get_if<consent::AlreadyWithdrawn>(&*plan)) {
    return exchange.reply(make_json_response(200, consent::to_json(done->consent, now)));
  }
  auto& withdrawal = std::get<consent::Withdrawal>(*plan);
  withdrawal.write.record["remote_address"] = exchange.remote_address();
  nlohmann::json view = consent::to_json(withdrawal.consent, now);
  registry_.commit_withdrawal(
      std::move(withdrawal), exchange.client().id,
      [exchange, view](std::expected<AuditReceipt, StoreError> receipt) mutable {
        if (!receipt) return exchange.audit_unavailable("the withdrawal was not recorded; send it again");
        log::info("consent.withdrawn", {{"consent_id", view["consent_id"]}, {"audit_seq", receipt->seq}});
        exchange.reply(make_json_response(200, view));
      });
}

void ConsentEndpoint::list(Exchange exchange) {
  exchange.audit_context()["operation"] = "list";
  const auto body = exchange.json_object();
  if (!body) return;
  std::vector<InvalidParam> invalid;
  std::string person_id;
  refuse_unknown_fields(*body, "", {"person_id"}, invalid);
  const std::string asked = read_text(*body, "person_id", "person_id", true, invalid, 20);
  if (!asked.empty()) {
    exchange.audit_context()["person_id"] = asked;
    auto id = policy::parse_person_id(asked, today_utc());
    if (!id)
      invalid.push_back({"person_id", id.error().code, id.error().reason});
    else
      person_id = id->digits;
  }
  if (!invalid.empty()) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid request", "one or more fields are invalid", std::move(invalid), {}});
  }
  auto consents = registry_.recorded_by(exchange.client().organisation, person_id);
  if (!consents) return exchange.store_unavailable();
  const auto now = std::chrono::system_clock::now();
  nlohmann::json out = {{"person_id", person_id}, {"consents", nlohmann::json::array()}};
  nlohmann::json ids = nlohmann::json::array();
  for (const ConsentRecord& c : *consents) {
    out["consents"].push_back(consent::to_json(c, now));
    ids.push_back(c.consent_id);
  }
  exchange.commit(
      {"consent.read", {{"client", exchange.client().id}, {"person_id", person_id}, {"consent_ids", ids}}, {}},
      "the read could not be audited; try again",
      [out = std::move(out)](const AuditReceipt&) { return make_json_response(200, out); });
}

}  // namespace knutpunkt::http
