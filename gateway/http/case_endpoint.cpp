#include "http/case_endpoint.h"

#include "core/clock.h"
#include "http/audited_refusal.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"
#include "policy/person_id.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

nlohmann::json case_view(const CaseRecord& c) {
  nlohmann::json out = {{"case_id", c.case_id},   {"status", c.status},       {"unit", c.unit},
                        {"household", c.household}, {"opened_at", c.opened_at}, {"updated_at", c.updated_at}};
  if (!c.closed_at.empty()) out["closed_at"] = c.closed_at;
  return out;
}


void CaseEndpoint::put(const std::string& case_id, Request&& request, const RequestContext& context, Reply reply) {
  nlohmann::json audit_context = {{"operation", "register"}, {"case_id", case_id}, {"remote_address", context.remote_address}};
  const ClientConfig* client = require_case_system(auth_, audit_, "case.refused", request, audit_context, reply);
  if (!client) return;
  const auto refuse = [&](Problem p) { refuse_audited(audit_, "case.refused", std::move(p), audit_context, std::move(reply)); };
  const auto parsed = read_json_object(request, refuse);
  if (!parsed) return;
  const nlohmann::json& body = *parsed;
  std::vector<InvalidParam> invalid;
  refuse_unknown_fields(body, "", {"status", "unit", "household"}, invalid);
  CaseRecord c;
  c.client_id = client->id;
  c.case_id = case_id;
  c.status = read_code(body, "status", "status", true, {"open", "closed"}, invalid);
  c.unit = read_text(body, "unit", "unit", true, invalid);
  if (auto members = body.find("household"); members == body.end() || !members->is_array() || members->empty()) {
    invalid.push_back({"household", "missing", "is required as a non-empty array of personnummer"});
  } else if (members->size() > kMaxHousehold) {
    invalid.push_back({"household", "too_many", "may list at most 20 persons"});
  } else {
    for (std::size_t i = 0; i < members->size(); ++i) {
      const std::string name = "household[" + std::to_string(i) + "]";
      const auto& m = (*members)[i];
      if (!m.is_string()) {
        invalid.push_back({name, "not_a_string", "must be a personnummer or samordningsnummer"});
        continue;
      }
      auto id = policy::parse_person_id(m.get<std::string>(), today_utc());
      if (!id) invalid.push_back({name, id.error().code, id.error().reason});
      else c.household.insert(id->digits);
    }
  }
  if (!invalid.empty()) {
    return refuse({400, "invalid_request", "Invalid case", "one or more fields are invalid", std::move(invalid), {}});
  }
  auto existing = store_.case_file(client->id, case_id);
  if (!existing) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
  const std::string now = now_utc();
  c.opened_at = *existing ? (*existing)->opened_at : now;
  // Closing stamps the time; reopening clears it; an unchanged status keeps what was there.
  c.closed_at = c.status == "closed" ? (*existing && !(*existing)->closed_at.empty() ? (*existing)->closed_at : now) : "";
  c.updated_at = now;
  const bool created = !*existing;
  nlohmann::json view = case_view(c);
  nlohmann::json audit_body = view;
  audit_body["client"] = client->id;
  audit_body["remote_address"] = context.remote_address;
  if (*existing) audit_body["previous"] = case_view(**existing);
  audit_.append(created ? "case.registered" : "case.updated", std::move(audit_body), {store_write::PutCase{c}},
                [reply = std::move(reply), view = std::move(view), created](std::expected<AuditReceipt, StoreError> receipt) {
                  if (!receipt) {
                    return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable",
                                                        "the case was not stored; send it again", {}, {}}));
                  }
                  log::info(created ? "case.registered" : "case.updated", {{"audit_seq", receipt->seq}});
                  reply(make_json_response(created ? 201 : 200, view));
                });
}

void CaseEndpoint::get(const std::string& case_id, Request&& request, const RequestContext& context, Reply reply) {
  nlohmann::json audit_context = {{"operation", "read"}, {"case_id", case_id}, {"remote_address", context.remote_address}};
  const ClientConfig* client = require_case_system(auth_, audit_, "case.refused", request, audit_context, reply);
  if (!client) return;
  auto found = store_.case_file(client->id, case_id);
  if (!found) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
  if (!*found) {
    return refuse_audited(audit_, "case.refused", {404, "not_found", "No such case", {}, {}, {}}, audit_context,
                          std::move(reply));
  }
  nlohmann::json view = case_view(**found);
  audit_.append("case.read", {{"client", client->id}, {"case_id", case_id}},
                [reply = std::move(reply), view = std::move(view)](std::expected<AuditReceipt, StoreError> receipt) {
                  if (!receipt) return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable", {}, {}, {}}));
                  reply(make_json_response(200, view));
                });
}

}  // namespace knutpunkt::http
