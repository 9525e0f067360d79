#include "http/problem.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

nlohmann::json to_json(const Problem& problem) {
  nlohmann::json body = {
      {"type", "https://knutpunkt.example/problems/" + problem.code},
      {"title", problem.title},
      {"status", problem.status},
      {"code", problem.code},
  };
  if (!problem.detail.empty()) body["detail"] = problem.detail;
  if (!problem.invalid_params.empty()) {
    auto& params = body["invalid-params"] = nlohmann::json::array();
    for (const auto& p : problem.invalid_params) {
      params.push_back({{"name", p.name}, {"code", p.code}, {"reason", p.reason}});
    }
  }
  if (!problem.lookup_id.empty()) body["lookup_id"] = problem.lookup_id;
  return body;
}

Response make_problem_response(const Problem& problem) {
  Response response{static_cast<bhttp::status>(problem.status), 11};
  response.set(bhttp::field::content_type, "application/problem+json");
  response.set(bhttp::field::cache_control, "no-store");
  if (problem.status == 401) response.set(bhttp::field::www_authenticate, "Bearer realm=\"knutpunkt\"");
  response.body() = to_json(problem).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response make_json_response(unsigned status, const nlohmann::json& body) {
  Response response{static_cast<bhttp::status>(status), 11};
  response.set(bhttp::field::content_type, "application/json");
  response.set(bhttp::field::cache_control, "no-store");
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

unsigned failure_status(FailureKind kind) {
  switch (kind) {
    case FailureKind::invalid:
      return 422;
    case FailureKind::not_found:
      return 404;
    case FailureKind::not_allowed:
      return 403;
    case FailureKind::precondition_failed:
      return 412;
    case FailureKind::unavailable:
      return 503;
    case FailureKind::conflict:
      return 409;
  }
  return 409;
}

}  // namespace knutpunkt::http
