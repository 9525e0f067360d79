#pragma once
// The one way a request is run: the route table matches it (404 / 405 answered there), an
// Exchange is made with the path parameters in its audit context, the route's guard is applied
// once (401 when no valid token, 403 for the wrong role or an operation not granted; each refusal
// audited under the route's refusal kind), and only then does the handler see the request.
#include "audit/audit_log.h"
#include "http/client_auth.h"
#include "http/message.h"
#include "http/route_table.h"

namespace knutpunkt::http {

class RequestPipeline {
 public:
  // All three must outlive the pipeline.
  RequestPipeline(const RouteTable& routes, const ClientAuth& auth, AuditLog& audit)
      : routes_(routes), auth_(auth), audit_(audit) {}

  void handle(Request&& request, const RequestContext& context, Reply reply) const;
  // A request refused from its header alone (its body over the limit: 413; framing not taken:
  // 400, 501) is refused as its route refuses, naming the caller when its token is valid; its
  // guard is not applied, since nothing of it is handled.
  void refuse_unread(const Request& header, Problem problem, const RequestContext& context, Reply reply) const;

 private:
  const RouteTable& routes_;
  const ClientAuth& auth_;
  AuditLog& audit_;
};

}  // namespace knutpunkt::http
