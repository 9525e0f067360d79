#pragma once
// The one way a request is run: a target holding a personnummer is refused first, whatever it
// is for (http/personal_data_in_url.h); then the route table matches it (404 / 405 answered there), an
// Exchange is made with the path parameters and the query string in its audit context, the
// route's guard is applied once (401 when no valid token, 403 for the wrong role or an operation
// not granted), and only then does the handler see the request.
//
// Refusals of a known client are audited one record each under the route's refusal kind.
// Refusals made before a caller is known (401, a path no route has, a body over the limit without
// a valid token) are counted per address and minute (http/unauthenticated_refusals.h), and an
// address that has used up its bucket (http/address_rate_limit.h) has its unknown callers
// answered 429 with Retry-After, counted the same way; a valid token is always served.
//
// Every answer, refusals included, is counted in the request metrics (http/request_metrics.h)
// under its route's pattern, with the time from the request read to the answer.
#include "audit/audit_log.h"
#include "http/address_rate_limit.h"
#include "http/client_auth.h"
#include "http/message.h"
#include "http/personal_data_in_url.h"
#include "http/request_metrics.h"
#include "http/route_table.h"
#include "http/unauthenticated_refusals.h"

namespace knutpunkt::http {

// The audit kind of a request refused for a personnummer in its path or query string.
inline constexpr const char* kPersonalDataInUrlKind = "http.personal_data_in_url";

class RequestPipeline {
 public:
  // All must outlive the pipeline. `metrics` must be laid out for `routes` (std::logic_error
  // otherwise: a programming error found at start).
  RequestPipeline(const RouteTable& routes, const ClientAuth& auth, AuditLog& audit,
                  UnauthenticatedRefusals& unauthenticated, AddressRateLimit& limit, RequestMetrics& metrics);

  void handle(Request&& request, const RequestContext& context, Reply reply) const;
  // A request refused from its header alone (its body over the limit: 413; framing not taken:
  // 400, 501) is refused as its route refuses when its token names a client; otherwise it is
  // counted with the other refusals of unknown callers. Its guard is not applied, since nothing
  // of it is handled.
  void refuse_unread(const Request& header, Problem problem, const RequestContext& context, Reply reply) const;

 private:
  // 400 personal_data_in_url, before the route's guard or handler: audited for a client (the
  // numbers masked), counted for an unknown caller.
  void refuse_person_ids_in_url(const Request& request, const PersonIdsInUrl& found, const RequestContext& context,
                                Reply reply) const;
  // `reply`, counting the answer in the series of `found` once it is given.
  Reply measured(Reply reply, const std::variant<RouteTable::Match, Response>& found,
                 boost::beast::http::verb method) const;
  // The 429 for an address with no token left (counted), or nullopt.
  std::optional<Response> throttled(const std::string& address, const std::string& route) const;
  // A refusal of an unknown caller: takes a token from its address and counts it.
  void count_unknown(const std::string& address, const std::string& route, unsigned status) const;

  const RouteTable& routes_;
  const ClientAuth& auth_;
  AuditLog& audit_;
  UnauthenticatedRefusals& unauthenticated_;
  AddressRateLimit& limit_;
  RequestMetrics& metrics_;
};

}  // namespace knutpunkt::http
