#pragma once
// Maps method and path to an endpoint; everything unknown is a problem+json 404 or 405.
#include "http/lookup_endpoint.h"
#include "http/readiness_endpoint.h"
#include "http/server.h"

namespace knutpunkt::http {

class Router {
 public:
  Router(LookupEndpoint& lookups, ReadinessEndpoint& readiness);

  void handle(Request&& request, const RequestContext& context, Reply reply);
  void handle_oversize(const Request& header, const RequestContext& context, Reply reply);

 private:
  LookupEndpoint& lookups_;
  ReadinessEndpoint& readiness_;
};

}  // namespace knutpunkt::http
