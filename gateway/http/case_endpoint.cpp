#include "http/case_endpoint.h"

#include "core/clock.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"
#include "policy/person_id.h"

namespace knutpunkt::http {

namespace {

void read_household(const nlohmann::json& body, std::set<std::string>& household, std::vector<InvalidParam>& invalid) {
  auto members = body.find("household");
  if (members == body.end() || !members->is_array() || members->empty()) {
    invalid.push_back({"household", "missing", "is required as a non-empty array of personnummer"});
    return;
  }
  if (members->size() > kMaxHousehold) {
    invalid.push_back({"household", "too_many", "may list at most 20 persons"});
    return;
  }
  for (std::size_t i = 0; i < members->size(); ++i) {
    const std::string name = "household[" + std::to_string(i) + "]";
    const auto& m = (*members)[i];
    if (!m.is_string()) {
      invalid.push_back({name, "not_a_string", "must be a personnummer or samordningsnummer"});
      continue;
    }
    auto id = policy::parse_person_id(m.get<std::string>(), today_utc());
    if (!id)
      invalid.push_back({name, id.error().code, id.error().reason});
    else
      household.insert(id->digits);
  }
}

}  // namespace

void CaseEndpoint::put(Exchange exchange) {
  exchange.audit_context()["operation"] = "register";
  const auto body = exchange.json_object();
  if (!body) return;
  std::vector<InvalidParam> invalid;
  refuse_unknown_fields(*body, "", {"status", "unit", "household", "closure_reason"}, invalid);
  CaseRecord c;
  c.client_id = exchange.client().id;
  c.organisation = exchange.client().organisation;
  c.case_id = exchange.param("case_id");
  valid_identifier(c.case_id, "case_id", invalid, kMaxTextLength);
  c.status = read_code(*body, "status", "status", true, {"open", "closed"}, invalid);
  c.unit = read_text(*body, "unit", "unit", true, invalid);
  // Why a case closes is kept with it when the case system says; an open case has no such reason.
  // Optional: case systems that close cases without one are not refused for it.
  if (c.status == "closed") {
    c.closure_reason =
        read_code(*body, "closure_reason", "closure_reason", false, case_closure_reason_codes(), invalid);
  } else if (body->contains("closure_reason")) {
    invalid.push_back({"closure_reason", "not_allowed", "is given only when the status is closed"});
  }
  read_household(*body, c.household, invalid);
  if (!invalid.empty()) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid case", "one or more fields are invalid", std::move(invalid), {}});
  }
  auto registration = cases_.prepare_put(std::move(c), std::chrono::system_clock::now());
  if (!registration) return exchange.store_unavailable();
  registration->write.record["remote_address"] = exchange.remote_address();
  const bool created = registration->created;
  auto answer = [created, view = to_json(registration->record)](const AuditReceipt& receipt) {
    log::info(created ? "case.registered" : "case.updated", {{"audit_seq", receipt.seq}});
    return make_json_response(created ? 201 : 200, view);
  };
  if (!registration->closing) {
    return exchange.commit(std::move(registration->write), "the case was not stored; send it again", std::move(answer));
  }
  if (!referrals_.withdraw_case(exchange.client().id, registration->record.case_id, registration->write)) {
    return exchange.store_unavailable();
  }
  referrals_.commit(std::move(registration->write),
                    [exchange, answer = std::move(answer)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                      if (!receipt) return exchange.audit_unavailable("the case was not stored; send it again");
                      exchange.reply(answer(*receipt));
                    });
}

void CaseEndpoint::get(Exchange exchange) {
  exchange.audit_context()["operation"] = "read";
  const std::string& case_id = exchange.param("case_id");
  if (std::vector<InvalidParam> invalid; !valid_identifier(case_id, "case_id", invalid, kMaxTextLength)) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid case id", "the case id is invalid", std::move(invalid), {}});
  }
  // Another organisation's case is "not found": its existence is secret (26 kap. 1 § OSL).
  auto found = cases_.find(exchange.client().organisation, case_id);
  if (!found) return exchange.store_unavailable();
  if (!*found) return exchange.refuse({404, "not_found", "No such case", {}, {}, {}});
  exchange.commit({"case.read", {{"client", exchange.client().id}, {"case_id", case_id}}, {}},
                  "the read could not be audited; try again",
                  [view = to_json(**found)](const AuditReceipt&) { return make_json_response(200, view); });
}

}  // namespace knutpunkt::http
