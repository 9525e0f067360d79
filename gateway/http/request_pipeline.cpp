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

Exchange exchange_for(Request&& request, const RequestContext& context, const RouteTable::Match& match, AuditLog& audit,
                      Reply reply) {
  Exchange exchange(std::move(request), context, match.params, *match.rules, audit, std::move(reply));
  for (const auto& [name, value] : match.params.all()) exchange.audit_context()[name] = value;
  return exchange;
}

}  // namespace

void RequestPipeline::handle(Request&& request, const RequestContext& context, Reply reply) const {
  auto found = routes_.match(request.method(), to_std(request.target()));
  if (auto* answer = std::get_if<Response>(&found)) return reply(std::move(*answer));
  const auto& match = std::get<RouteTable::Match>(found);
  const Guard& guard = match.route->guard;
  Exchange exchange = exchange_for(std::move(request), context, match, audit_, std::move(reply));
  if (guard.authenticates()) {
    const ClientConfig* client = auth_.authenticate(to_std(exchange.request()[bhttp::field::authorization]));
    exchange.set_caller(client);
    if (client == nullptr) return exchange.refuse(unauthenticated());
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
  auto found = routes_.match(header.method(), to_std(header.target()));
  const auto* match = std::get_if<RouteTable::Match>(&found);
  if (match == nullptr || (match->rules->refused_as.empty() && !match->rules->recorder)) {
    return reply(make_problem_response(problem));
  }
  Exchange exchange = exchange_for(Request(header), context, *match, audit_, std::move(reply));
  exchange.set_caller(auth_.authenticate(to_std(header[bhttp::field::authorization])));
  exchange.refuse(std::move(problem));
}

}  // namespace knutpunkt::http
