#include "http/router.h"

#include "http/problem.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

using V = bhttp::verb;

Guard case_systems(std::string what_for) {
  return Guard::with_role(kRoleCaseSystem, std::move(what_for));
}
Guard operators() {
  return Guard::with_role(kRoleOperator, "operator role required");
}
// Auditors are separate from case systems and operators: a case system reads its own feed, never
// the log of everyone's exchanges.
Guard auditors() {
  return Guard::with_role(kRoleAuditor, "the auditor role is required");
}

// Health, readiness and metrics: for the platform, not for clients. Liveness is open and says
// nothing; which partners are up, and the figures, are for operators (and each readiness check
// pings a partner).
void add_operations_routes(RouteTable& t, const Endpoints* e) {
  t.add({V::get, "/healthz", Guard::anyone(), {}, [](Exchange x) {
           x.reply(make_json_response(200, {{"status", "ok"}}));
         }});
  t.add({V::get, "/readyz", operators(), "operator.access_refused",
         [e](Exchange x) { e->readiness.handle(x.as_reply()); }});
  t.add({V::get, "/metrics", operators(), "operator.access_refused",
         [e](Exchange x) { e->metrics.handle(x.as_reply()); }});
}

// Lookups, referrals and what partners send back.
void add_exchange_routes(RouteTable& t, const Endpoints* e) {
  t.add({V::post, "/v1/lookups/{adapter}", case_systems("only case systems may look up partner data"), "lookup.refused",
         [e](Exchange x) { e->lookups.handle(std::move(x)); },
         [e](Exchange& x, Problem p) { e->lookups.refuse(x, std::move(p)); }});

  t.add({V::post, "/v1/referrals", case_systems("only case systems may send referrals"), "referral.refused",
         [e](Exchange x) { e->referrals.create(std::move(x)); }});
  // Any signed-in client; it sees only its own referrals.
  t.add({V::get, "/v1/referrals/{referral_id}", Guard::signed_in(), "referral.read_refused",
         [e](Exchange x) { e->referrals.show(std::move(x)); }});
  // The case system that sent a referral changes it, withdraws it and sends its decisions; to any
  // other client the referral does not exist.
  t.add({V::patch, "/v1/referrals/{referral_id}", case_systems("only case systems change referrals"),
         "referral.change_refused", [e](Exchange x) { e->referrals.change(std::move(x)); }});
  t.add({V::post, "/v1/referrals/{referral_id}/withdrawal", case_systems("only case systems withdraw referrals"),
         "referral.change_refused", [e](Exchange x) { e->referrals.withdraw(std::move(x)); }});
  t.add({V::post, "/v1/referrals/{referral_id}/decisions",
         case_systems("only case systems send decisions about referrals"), "referral.change_refused",
         [e](Exchange x) { e->referrals.decide(std::move(x)); }});
  t.add({V::post, "/v1/referrals/{referral_id}/assessments",
         case_systems("only case systems send assessment results about referrals"), "referral.change_refused",
         [e](Exchange x) { e->referrals.assess(std::move(x)); }});
  // The referring client only; any other's referral is not found.
  t.add({V::get, "/v1/referrals/{referral_id}/attendance", Guard::signed_in(), "referral.read_refused",
         [e](Exchange x) { e->attendance.month(std::move(x)); }});
  t.add({V::post, "/v1/partners/{adapter}/reports",
         Guard::partner_named_by("adapter", "this client may not send reports for this partner"),
         "referral.report_refused", [e](Exchange x) { e->reports.handle(std::move(x)); }});
  t.add({V::get, "/v1/events", case_systems("only case systems have an event feed"), "event_feed.refused",
         [e](Exchange x) { e->events.handle(std::move(x)); }});
}

// Operators: messages and dead letters.
void add_operator_routes(RouteTable& t, const Endpoints* e) {
  t.add({V::get, "/v1/messages/{message_id}", operators(), "operator.access_refused",
         [e](Exchange x) { e->operators.message(std::move(x)); }});
  t.add({V::get, "/v1/dead-letters", operators(), "operator.access_refused",
         [e](Exchange x) { e->operators.dead_letters(std::move(x)); }});
  t.add({V::post, "/v1/dead-letters/{message_id}/replay", operators(), "operator.access_refused",
         [e](Exchange x) { e->operators.replay(std::move(x)); }});
}

// The consent registry and console sign-in.
void add_consent_and_session_routes(RouteTable& t, const Endpoints* e) {
  // A consent is what a consent-based lookup rests on: only the case system that holds the signed
  // documents is granted to record, read and withdraw them.
  const auto consents = [] {
    return case_systems("case systems only")
        .granted(kOperationConsentRecord, "this client may not record, read or withdraw consents");
  };
  t.add(
      {V::post, "/v1/consents", consents(), "consent.refused", [e](Exchange x) { e->consents.record(std::move(x)); }});
  // The person is named in the body: a personnummer in a URL would be in every proxy's log.
  t.add({V::post, "/v1/consents/search", consents(), "consent.refused",
         [e](Exchange x) { e->consents.list(std::move(x)); }});
  t.add({V::delete_, "/v1/consents/{consent_id}", consents(), "consent.refused",
         [e](Exchange x) { e->consents.withdraw(std::move(x)); }});

  // Signing in is how a user gets a token; the session endpoint audits its own refusals.
  t.add({V::post, "/v1/auth/session", Guard::anyone(), "auth.refused",
         [e](Exchange x) { e->sessions.sign_in(std::move(x)); }});
  t.add({V::delete_, "/v1/auth/session", Guard::anyone(), "auth.refused",
         [e](Exchange x) { e->sessions.sign_out(std::move(x)); }});
}

// The auditors' console (pages, not API).
void add_console_routes(RouteTable& t, const Endpoints* e) {
  // The console's assets are relative to /console/; without the slash they would not load.
  t.add({V::get,
         "/console",
         Guard::anyone(),
         {},
         [](Exchange x) {
           Response moved{bhttp::status::moved_permanently, x.request().version()};
           moved.set(bhttp::field::location, "/console/");
           moved.prepare_payload();
           x.reply(std::move(moved));
         },
         {},
         RouteAudience::console});
  t.add({V::get,
         "/console/{asset*}",
         Guard::anyone(),
         {},
         [e](Exchange x) { e->console.serve(x.param("asset"), x.request(), x.as_reply()); },
         {},
         RouteAudience::console});
}

// Auditors: records, timelines, log checks, the chain, retention, exports.
void add_audit_routes(RouteTable& t, const Endpoints* e) {
  const std::string refused = "audit.access_refused";
  // Searches and person timelines take their filters in a body: a personnummer in a URL would be
  // in every proxy's log. The GETs they replace are gone (404), so no client keeps sending one.
  t.add({V::post, "/v1/audit/records/search", auditors(), refused, [e](Exchange x) { e->audit.search(std::move(x)); }});
  t.add({V::get, "/v1/audit/cases/{case_id}/timeline", auditors(), refused,
         [e](Exchange x) { e->audit.case_timeline(std::move(x)); }});
  t.add({V::post, "/v1/audit/persons/timeline", auditors(), refused,
         [e](Exchange x) { e->audit.person_timeline(std::move(x)); }});
  t.add({V::get, "/v1/audit/reports", auditors(), refused, [e](Exchange x) { e->audit.report_list(std::move(x)); }});
  t.add(
      {V::get, "/v1/audit/reports/{report}", auditors(), refused, [e](Exchange x) { e->audit.report(std::move(x)); }});
  t.add({V::get, "/v1/audit/chain", auditors(), refused, [e](Exchange x) { e->audit.chain(std::move(x)); }});
  // Removing records is an administrator's act, not an auditor's: auditors read the log. Two
  // administrators: one requests, another approves (four-eyes).
  t.add({V::post, "/v1/audit/retention", Guard::with_role(kRoleAdmin, "the admin role is required"),
         "audit.retention_refused", [e](Exchange x) { e->audit.retention_request(std::move(x)); }});
  t.add({V::post, "/v1/audit/retention/{request_id}/approval",
         Guard::with_role(kRoleAdmin, "the admin role is required"), "audit.retention_refused",
         [e](Exchange x) { e->audit.retention_approval(std::move(x)); }});
  t.add({V::post, "/v1/audit/exports", auditors(), refused, [e](Exchange x) { e->audit.create_export(std::move(x)); }});
  t.add({V::get, "/v1/audit/exports/{export_id}/file", auditors(), refused,
         [e](Exchange x) { e->audit.export_file(std::move(x), false); }});
  t.add({V::get, "/v1/audit/exports/{export_id}/manifest", auditors(), refused,
         [e](Exchange x) { e->audit.export_file(std::move(x), true); }});
}

// SIP plans with the region: case systems granted the operation "sip".
void add_sip_routes(RouteTable& t, const Endpoints* e) {
  const auto sip = [] {
    return case_systems("case systems only").granted(kOperationSip, "this client may not coordinate SIP plans");
  };
  const std::string refused = "sip.refused";
  t.add({V::post, "/v1/sip-plans", sip(), refused, [e](Exchange x) { e->sip.initiate(std::move(x)); }});
  t.add({V::get, "/v1/sip-plans/{plan_id}", sip(), refused, [e](Exchange x) { e->sip.read(std::move(x)); }});
  t.add({V::get, "/v1/sip-plans/{plan_id}/versions/{version}", sip(), refused,
         [e](Exchange x) { e->sip.read(std::move(x)); }});
  for (const char* action : SipEndpoint::kActions) {
    t.add({V::post, std::string("/v1/sip-plans/{plan_id}/") + action, sip(), refused,
           [e, action](Exchange x) { e->sip.change(std::move(x), action); }});
  }
  t.add({V::post, "/v1/sip-plans/{plan_id}/participants/{participant_id}/removal", sip(), refused,
         [e](Exchange x) { e->sip.change(std::move(x), "removal"); }});
}

// Återsökningar, manual handling and cases.
void add_case_routes(RouteTable& t, const Endpoints* e) {
  t.add({V::post, "/v1/atersokningar", case_systems("only case systems may send återsökningar"), "atersokning.refused",
         [e](Exchange x) { e->atersokningar.create(std::move(x)); }});
  t.add({V::get, "/v1/manual-handling", operators(), "manual_handling.read_refused",
         [e](Exchange x) { e->manual_handling.list(std::move(x)); }});
  t.add({V::post, "/v1/manual-handling/{manual_item_id}/resolve", operators(), "manual_handling.resolve_refused",
         [e](Exchange x) { e->manual_handling.resolve(std::move(x)); }});
  // A case is the scope every lookup must stay within: only the case system that vouches for the
  // organisation's cases is granted to register, close and read them.
  const auto cases = [] {
    return case_systems("case systems only")
        .granted(kOperationCaseRegister, "this client may not register or read cases");
  };
  t.add({V::put, "/v1/cases/{case_id}", cases(), "case.refused", [e](Exchange x) { e->cases.put(std::move(x)); }});
  t.add({V::get, "/v1/cases/{case_id}", cases(), "case.refused", [e](Exchange x) { e->cases.get(std::move(x)); }});
}

}  // namespace

RouteTable gateway_routes(const Endpoints* endpoints) {
  RouteTable table;
  for (auto add : {add_operations_routes, add_exchange_routes, add_operator_routes, add_consent_and_session_routes,
                   add_console_routes, add_audit_routes, add_sip_routes, add_case_routes}) {
    add(table, endpoints);
  }
  return table;
}

Router::Router(Endpoints endpoints, const ClientAuth& auth, AuditLog& audit, UnauthenticatedRefusals& unauthenticated,
               AddressRateLimit& limit, RequestMetrics& metrics)
    : e_(endpoints), table_(gateway_routes(&e_)), pipeline_(table_, auth, audit, unauthenticated, limit, metrics) {}

void Router::handle(Request&& request, const RequestContext& context, Reply reply) {
  pipeline_.handle(std::move(request), context, std::move(reply));
}

void Router::refuse_unread(const Request& header, Problem problem, const RequestContext& context, Reply reply) {
  pipeline_.refuse_unread(header, std::move(problem), context, std::move(reply));
}

}  // namespace knutpunkt::http
