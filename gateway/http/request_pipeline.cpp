#include "http/request_pipeline.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

Problem unauthenticated() {
  return {401,
          "unauthenticated",
          "Authentication required",
          "a valid bearer token is required in the Authorization header",
          {},
          {}};
}

// What the aggregate names a request no route takes by: its method, never its target (anyone's
// text, and unbounded).
std::string no_route(bhttp::verb method) {
  return std::string(bhttp::to_string(method)) + " (no route)";
}

Exchange exchange_for(Request&& request, const RequestContext& context, const RouteTable::Match& match, AuditLog& audit,
                      Reply reply) {
  const std::string_view target = to_std(request.target());
  const auto query = target.find('?');
  Exchange exchange(std::move(request), context, match.params, *match.rules, audit, std::move(reply));
  for (const auto& [name, value] : match.params.all()) exchange.audit_context()[name] = value;
  // What a refused request asked for, as sent (its bytes escaped when they are not UTF-8, in
  // AuditLog::append): an auditor sees the filters of a refused read.
  if (query != std::string_view::npos && query + 1 < target.size()) {
    exchange.audit_context()["query"] = std::string(to_std(exchange.request().target()).substr(query + 1));
  }
  return exchange;
}

}  // namespace

std::optional<Response> RequestPipeline::throttled(const std::string& address, const std::string& route) const {
  const auto wait = limit_.exhausted(address);
  if (!wait) return std::nullopt;
  unauthenticated_.count(address, route, 429);
  Response response = make_problem_response({429,
                                             "too_many_requests",
                                             "Too many requests",
                                             "too many refused requests from this address; try again later",
                                             {},
                                             {}});
  response.set(bhttp::field::retry_after, std::to_string(wait->count()));
  return response;
}

void RequestPipeline::count_unknown(const std::string& address, const std::string& route, unsigned status) const {
  limit_.take(address);
  unauthenticated_.count(address, route, status);
}

void RequestPipeline::handle(Request&& request, const RequestContext& context, Reply reply) const {
  const std::string& address = context.remote_address;
  auto found = routes_.match(request.method(), to_std(request.target()));
  if (auto* answer = std::get_if<Response>(&found)) {
    if (auto busy = throttled(address, no_route(request.method()))) return reply(std::move(*busy));
    count_unknown(address, no_route(request.method()), answer->result_int());
    return reply(std::move(*answer));
  }
  const auto& match = std::get<RouteTable::Match>(found);
  const Guard& guard = match.route->guard;
  const ClientConfig* client =
      guard.authenticates() ? auth_.authenticate(to_std(request[bhttp::field::authorization])) : nullptr;
  if (guard.authenticates() && client == nullptr) {
    if (auto busy = throttled(address, match.rules->route)) return reply(std::move(*busy));
    count_unknown(address, match.rules->route, 401);
    return reply(make_problem_response(unauthenticated()));
  }
  Exchange exchange = exchange_for(std::move(request), context, match, audit_, std::move(reply));
  if (guard.authenticates()) {
    exchange.set_caller(client);
    if (!guard.admits(*client, guard.param.empty() ? std::string() : match.params.at(guard.param))) {
      return exchange.refuse({403, "role_not_allowed", "Not allowed", guard.forbidden_detail, {}, {}});
    }
    if (!guard.operation.empty() && !client->may(guard.operation)) {
      exchange.audit_context()["operation"] = guard.operation;
      return exchange.refuse({403, "operation_not_allowed", "Not allowed by policy", guard.operation_detail, {}, {}});
    }
  }
  match.route->handler(std::move(exchange));
}

void RequestPipeline::refuse_unread(const Request& header, Problem problem, const RequestContext& context,
                                    Reply reply) const {
  const std::string& address = context.remote_address;
  auto found = routes_.match(header.method(), to_std(header.target()));
  const auto* match = std::get_if<RouteTable::Match>(&found);
  const std::string route = match != nullptr ? match->rules->route : no_route(header.method());
  const ClientConfig* client =
      match != nullptr ? auth_.authenticate(to_std(header[bhttp::field::authorization])) : nullptr;
  if (client == nullptr) {
    if (auto busy = throttled(address, route)) return reply(std::move(*busy));
    count_unknown(address, route, problem.status);
    return reply(make_problem_response(problem));
  }
  Exchange exchange = exchange_for(Request(header), context, *match, audit_, std::move(reply));
  exchange.set_caller(client);
  // A route that is open to anyone has no refusal kind of its own.
  if (match->rules->refused_as.empty() && !match->rules->recorder) {
    return exchange.refuse_as("http.refused", std::move(problem));
  }
  exchange.refuse(std::move(problem));
}

}  // namespace knutpunkt::http
