#include "http/request_pipeline.h"

#include <stdexcept>

#include "http/personal_data_in_url.h"
#include "log/log.h"

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

Problem personal_data_in_url(const PersonIdsInUrl& found) {
  std::vector<InvalidParam> invalid;
  for (const auto& place : found.places) {
    invalid.push_back({place, "personal_data_in_url", "holds a personnummer; send it in the request body instead"});
  }
  return {400,
          "personal_data_in_url",
          "Personal data in the URL",
          "a personnummer must never be sent in the path or query string, which proxies and TLS terminators log; "
          "the API takes person identifiers in request bodies",
          std::move(invalid),
          {}};
}

}  // namespace

RequestPipeline::RequestPipeline(const RouteTable& routes, const ClientAuth& auth, AuditLog& audit,
                                 UnauthenticatedRefusals& unauthenticated, AddressRateLimit& limit,
                                 RequestMetrics& metrics)
    : routes_(routes), auth_(auth), audit_(audit), unauthenticated_(unauthenticated), limit_(limit), metrics_(metrics) {
  if (!metrics.describes(routes)) throw std::logic_error("request metrics laid out for another route table");
}

Reply RequestPipeline::measured(Reply reply, const std::variant<RouteTable::Match, Response>& found,
                                bhttp::verb method) const {
  const auto* match = std::get_if<RouteTable::Match>(&found);
  const auto series =
      match != nullptr ? RequestMetrics::Series::route(match->index) : RequestMetrics::Series::unmatched(method);
  const auto read_at = std::chrono::steady_clock::now();
  // Counted before the answer is handed on: whoever has the answer finds it counted.
  return [&metrics = metrics_, series, read_at, reply = std::move(reply)](Response response) {
    metrics.record(series, response.result_int(), std::chrono::steady_clock::now() - read_at);
    reply(std::move(response));
  };
}

void RequestPipeline::refuse_person_ids_in_url(const Request& request, const PersonIdsInUrl& found,
                                               const RequestContext& context, Reply reply) const {
  const std::string& address = context.remote_address;
  auto matched = routes_.match(request.method(), to_std(request.target()));
  const auto* match = std::get_if<RouteTable::Match>(&matched);
  const std::string route = match != nullptr ? match->rules->route : no_route(request.method());
  Problem problem = personal_data_in_url(found);
  const ClientConfig* client = auth_.authenticate(to_std(request[bhttp::field::authorization]), context.client_certificate.get());
  if (client == nullptr) {
    if (auto busy = throttled(address, route)) return reply(std::move(*busy));
    count_unknown(address, route, problem.status);
    return reply(make_problem_response(problem));
  }
  // The record says where and what the request was for, the numbers masked: the refusal must not
  // become a second copy of what it refuses.
  nlohmann::json record = {{"client", client->id},
                           {"remote_address", address},
                           {"route", route},
                           {"method", std::string(bhttp::to_string(request.method()))},
                           {"target", found.masked_target},
                           {"places", found.places},
                           {"outcome", "refused"},
                           {"status", problem.status},
                           {"code", problem.code}};
  log::info(kPersonalDataInUrlKind, {{"status", problem.status}, {"code", problem.code}, {"client", client->id}});
  audit_.append(kPersonalDataInUrlKind, std::move(record),
                [reply = std::move(reply), problem](std::expected<AuditReceipt, StoreError> receipt) mutable {
                  if (!receipt) {
                    log::error("http.refusal_unaudited", {{"kind", kPersonalDataInUrlKind},
                                                          {"status", problem.status},
                                                          {"error", receipt.error().code}});
                    return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable",
                                                        "the request could not be audited and was not processed",
                                                        {}, {}}));
                  }
                  reply(make_problem_response(problem));
                });
}

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
  auto found = routes_.match(request.method(), to_std(request.target()));
  reply = measured(std::move(reply), found, request.method());
  // Before any guard or handler: the rule holds for every route, those added later too.
  if (const auto in_url = find_person_ids_in_url(to_std(request.target())); in_url.found()) {
    return refuse_person_ids_in_url(request, in_url, context, std::move(reply));
  }
  const std::string& address = context.remote_address;
  if (auto* answer = std::get_if<Response>(&found)) {
    if (auto busy = throttled(address, no_route(request.method()))) return reply(std::move(*busy));
    count_unknown(address, no_route(request.method()), answer->result_int());
    return reply(std::move(*answer));
  }
  const auto& match = std::get<RouteTable::Match>(found);
  const Guard& guard = match.route->guard;
  const ClientConfig* client =
      guard.authenticates() ? auth_.authenticate(to_std(request[bhttp::field::authorization]), context.client_certificate.get()) : nullptr;
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
  auto found = routes_.match(header.method(), to_std(header.target()));
  reply = measured(std::move(reply), found, header.method());
  // Its audit record would otherwise hold the target as sent.
  if (const auto in_url = find_person_ids_in_url(to_std(header.target())); in_url.found()) {
    return refuse_person_ids_in_url(header, in_url, context, std::move(reply));
  }
  const std::string& address = context.remote_address;
  const auto* match = std::get_if<RouteTable::Match>(&found);
  const std::string route = match != nullptr ? match->rules->route : no_route(header.method());
  const ClientConfig* client =
      match != nullptr ? auth_.authenticate(to_std(header[bhttp::field::authorization]), context.client_certificate.get()) : nullptr;
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
