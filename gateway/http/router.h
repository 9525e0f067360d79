#pragma once
// The gateway's routes: every endpoint's methods, path patterns, guards and refusal kinds, as one
// table, run by the request pipeline (request_pipeline.h).
#include "audit/audit_log.h"
#include "http/atersokning_endpoint.h"
#include "http/attendance_endpoint.h"
#include "http/audit_endpoint.h"
#include "http/case_endpoint.h"
#include "http/client_auth.h"
#include "http/console_endpoint.h"
#include "http/consent_endpoint.h"
#include "http/event_feed_endpoint.h"
#include "http/lookup_endpoint.h"
#include "http/manual_handling_endpoint.h"
#include "http/message.h"
#include "http/metrics_endpoint.h"
#include "http/operator_endpoint.h"
#include "http/readiness_endpoint.h"
#include "http/request_pipeline.h"
#include "http/referral_endpoint.h"
#include "http/report_endpoint.h"
#include "http/route_table.h"
#include "http/session_endpoint.h"
#include "http/sip_endpoint.h"

namespace knutpunkt::http {

struct Endpoints {
  LookupEndpoint& lookups;
  ReadinessEndpoint& readiness;
  ReferralEndpoint& referrals;
  ReportEndpoint& reports;
  EventFeedEndpoint& events;
  OperatorEndpoint& operators;
  MetricsEndpoint& metrics;
  ConsentEndpoint& consents;
  CaseEndpoint& cases;
  ManualHandlingEndpoint& manual_handling;
  AtersokningEndpoint& atersokningar;
  SessionEndpoint& sessions;
  AuditEndpoint& audit;
  SipEndpoint& sip;
  const ConsoleEndpoint& console;
  AttendanceEndpoint& attendance;
};

// Every route of the gateway. Handlers call into `endpoints` only when a request comes, so the
// table can be built with nullptr to be listed (`knutpunkt routes --json`).
RouteTable gateway_routes(const Endpoints* endpoints);

class Router {
 public:
  // `metrics` is laid out for gateway_routes() (RequestMetrics(gateway_routes(nullptr))).
  Router(Endpoints endpoints, const ClientAuth& auth, AuditLog& audit, UnauthenticatedRefusals& unauthenticated,
         AddressRateLimit& limit, RequestMetrics& metrics);
  // The table's handlers point at this router's endpoints.
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  void handle(Request&& request, const RequestContext& context, Reply reply);
  void refuse_unread(const Request& header, Problem problem, const RequestContext& context, Reply reply);

 private:
  Endpoints e_;
  RouteTable table_;
  RequestPipeline pipeline_;
};

}  // namespace knutpunkt::http
