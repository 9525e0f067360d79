#include "http/router.h"

#include "http/problem.h"

#include <cctype>

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::string_view kLookupPrefix = "/v1/lookups/";

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

Response method_not_allowed(std::string_view allowed) {
  Response response = make_problem_response({405, "method_not_allowed", "Method not allowed", {}, {}, {}});
  response.set(bhttp::field::allow, std::string(allowed));
  return response;
}

// An adapter name is a plain identifier; anything else cannot name one.
bool is_adapter_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace

Router::Router(LookupEndpoint& lookups, ReadinessEndpoint& readiness) : lookups_(lookups), readiness_(readiness) {}

void Router::handle(Request&& request, const RequestContext& context, Reply reply) {
  const std::string_view path = path_of(to_std(request.target()));
  const auto method = request.method();

  if (path == "/healthz") {
    if (method != bhttp::verb::get) return reply(method_not_allowed("GET"));
    return reply(make_json_response(200, {{"status", "ok"}}));
  }
  if (path == "/readyz") {
    if (method != bhttp::verb::get) return reply(method_not_allowed("GET"));
    return readiness_.handle(std::move(reply));
  }
  if (path.starts_with(kLookupPrefix) && is_adapter_name(path.substr(kLookupPrefix.size()))) {
    if (method != bhttp::verb::post) return reply(method_not_allowed("POST"));
    std::string adapter(path.substr(kLookupPrefix.size()));
    return lookups_.handle(adapter, std::move(request), context, std::move(reply));
  }
  reply(make_problem_response({404, "not_found", "Not found", "no such resource", {}, {}}));
}

void Router::handle_oversize(const Request& header, const RequestContext& context, Reply reply) {
  if (path_of(to_std(header.target())).starts_with(kLookupPrefix)) return lookups_.refuse_oversize(header, context, std::move(reply));
  reply(make_problem_response({413, "body_too_large", "Request body too large", {}, {}, {}}));
}

}  // namespace knutpunkt::http
