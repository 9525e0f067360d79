#include "http/audited_refusal.h"

#include "log/log.h"

namespace knutpunkt::http {

void refuse_audited(AuditLog& audit, std::string kind, Problem problem, nlohmann::json context, Reply reply) {
  context["outcome"] = "refused";
  context["status"] = problem.status;
  context["code"] = problem.code;
  if (!problem.invalid_params.empty()) {
    auto& params = context["invalid_params"] = nlohmann::json::array();
    for (const auto& p : problem.invalid_params) params.push_back({{"name", p.name}, {"code", p.code}});
  }
  log::info(kind, {{"status", problem.status}, {"code", problem.code}, {"client", context.value("client", "")}});
  audit.append(std::move(kind), std::move(context),
               [problem = std::move(problem), reply = std::move(reply)](std::expected<AuditReceipt, StoreError> receipt) {
                 if (!receipt) {
                   return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable",
                                                       "the request could not be audited and was not processed", {}, {}}));
                 }
                 reply(make_problem_response(problem));
               });
}

const ClientConfig* require_case_system(const ClientAuth& auth, AuditLog& audit, const std::string& refusal_kind,
                                        const Request& request, nlohmann::json& context, Reply& reply) {
  const ClientConfig* client = auth.authenticate(to_std(request[boost::beast::http::field::authorization]));
  if (!client) {
    refuse_audited(audit, refusal_kind,
                   {401, "unauthenticated", "Authentication required",
                    "a valid bearer token is required in the Authorization header", {}, {}},
                   context, std::move(reply));
    return nullptr;
  }
  context["client"] = client->id;
  if (!client->roles.contains(kRoleCaseSystem)) {
    refuse_audited(audit, refusal_kind, {403, "role_not_allowed", "Not allowed", "case systems only", {}, {}}, context,
                   std::move(reply));
    return nullptr;
  }
  return client;
}

}  // namespace knutpunkt::http
