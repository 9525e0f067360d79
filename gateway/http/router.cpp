#include "http/router.h"

#include "http/problem.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::string_view kLookupPrefix = "/v1/lookups/";

// A handler that ignores path parameters.
template <typename F>
RouteHandler plain(F f) {
  return [f](Request&& request, const RequestContext& context, const PathParams&, Reply reply) {
    f(std::move(request), context, std::move(reply));
  };
}

// A handler given the value of one path parameter.
template <typename F>
RouteHandler with(const char* name, F f) {
  return [name, f](Request&& request, const RequestContext& context, const PathParams& params, Reply reply) {
    f(params.at(name), std::move(request), context, std::move(reply));
  };
}

// Health, readiness and metrics: for the platform, not for clients.
void add_operations_routes(RouteTable& t, const Endpoints* e) {
  using V = bhttp::verb;
  t.add(V::get, "/healthz", plain([](Request&&, const RequestContext&, Reply reply) {
          reply(make_json_response(200, {{"status", "ok"}}));
        }));
  t.add(V::get, "/readyz",
        plain([e](Request&&, const RequestContext&, Reply reply) { e->readiness.handle(std::move(reply)); }));
  t.add(V::get, "/metrics",
        plain([e](Request&&, const RequestContext&, Reply reply) { e->metrics.handle(std::move(reply)); }));
}

// Lookups, referrals and what partners send back.
void add_exchange_routes(RouteTable& t, const Endpoints* e) {
  using V = bhttp::verb;
  t.add(V::post, "/v1/lookups/{adapter}",
        with("adapter", [e](const std::string& adapter, Request&& r, const RequestContext& c, Reply reply) {
          e->lookups.handle(adapter, std::move(r), c, std::move(reply));
        }));

  t.add(V::post, "/v1/referrals", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->referrals.create(std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/referrals/{referral_id}",
        with("referral_id", [e](const std::string& id, Request&& r, const RequestContext&, Reply reply) {
          e->referrals.show(id, std::move(r), std::move(reply));
        }));
  t.add(V::post, "/v1/partners/{adapter}/reports",
        with("adapter", [e](const std::string& adapter, Request&& r, const RequestContext& c, Reply reply) {
          e->reports.handle(adapter, std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/events", plain([e](Request&& r, const RequestContext&, Reply reply) {
          e->events.handle(std::move(r), std::move(reply));
        }));
}

// Operators: messages and dead letters.
void add_operator_routes(RouteTable& t, const Endpoints* e) {
  using V = bhttp::verb;
  t.add(V::get, "/v1/messages/{message_id}",
        with("message_id", [e](const std::string& id, Request&& r, const RequestContext&, Reply reply) {
          e->operators.message(id, std::move(r), std::move(reply));
        }));
  t.add(V::get, "/v1/dead-letters", plain([e](Request&& r, const RequestContext&, Reply reply) {
          e->operators.dead_letters(std::move(r), std::move(reply));
        }));
  t.add(V::post, "/v1/dead-letters/{message_id}/replay",
        with("message_id", [e](const std::string& id, Request&& r, const RequestContext&, Reply reply) {
          e->operators.replay(id, std::move(r), std::move(reply));
        }));
}

// The consent registry and console sign-in.
void add_consent_and_session_routes(RouteTable& t, const Endpoints* e) {
  using V = bhttp::verb;
  t.add(V::post, "/v1/consents", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->consents.record(std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/consents", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->consents.list(std::move(r), c, std::move(reply));
        }));
  t.add(V::delete_, "/v1/consents/{consent_id}",
        with("consent_id", [e](const std::string& id, Request&& r, const RequestContext& c, Reply reply) {
          e->consents.withdraw(id, std::move(r), c, std::move(reply));
        }));

  t.add(V::post, "/v1/auth/session", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->sessions.sign_in(std::move(r), c, std::move(reply));
        }));
  t.add(V::delete_, "/v1/auth/session", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->sessions.sign_out(std::move(r), c, std::move(reply));
        }));
}

// The auditors' console (pages, not API).
void add_console_routes(RouteTable& t, const Endpoints* e) {
  using V = bhttp::verb;
  // The console's assets are relative to /console/; without the slash they would not load.
  t.add(V::get, "/console", plain([](Request&& r, const RequestContext&, Reply reply) {
          Response moved{bhttp::status::moved_permanently, r.version()};
          moved.set(bhttp::field::location, "/console/");
          moved.prepare_payload();
          reply(std::move(moved));
        }),
        RouteAudience::console);
  t.add(V::get, "/console/{asset*}",
        with("asset", [e](const std::string& asset, Request&& r, const RequestContext&,
                          Reply reply) { e->console.serve(asset, std::move(r), std::move(reply)); }),
        RouteAudience::console);
}

// Auditors: records, timelines, log checks, the chain, retention, exports.
void add_audit_routes(RouteTable& t, const Endpoints* e) {
  using V = bhttp::verb;
  t.add(V::get, "/v1/audit/records", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->audit.records(std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/audit/cases/{case_id}/timeline",
        with("case_id", [e](const std::string& id, Request&& r, const RequestContext& c, Reply reply) {
          e->audit.case_timeline(id, std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/audit/persons/{person_id}/timeline",
        with("person_id", [e](const std::string& id, Request&& r, const RequestContext& c, Reply reply) {
          e->audit.person_timeline(id, std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/audit/reports", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->audit.report_list(std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/audit/reports/{report}",
        with("report", [e](const std::string& name, Request&& r, const RequestContext& c, Reply reply) {
          e->audit.report(name, std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/audit/chain", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->audit.chain(std::move(r), c, std::move(reply));
        }));
  t.add(V::post, "/v1/audit/retention", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->audit.retention(std::move(r), c, std::move(reply));
        }));
  t.add(V::post, "/v1/audit/exports", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->audit.create_export(std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/audit/exports/{export_id}/file",
        with("export_id", [e](const std::string& id, Request&& r, const RequestContext& c, Reply reply) {
          e->audit.export_file(id, false, std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/audit/exports/{export_id}/manifest",
        with("export_id", [e](const std::string& id, Request&& r, const RequestContext& c, Reply reply) {
          e->audit.export_file(id, true, std::move(r), c, std::move(reply));
        }));
}

// SIP plans with the region.
void add_sip_routes(RouteTable& t, const Endpoints* e) {
  using V = bhttp::verb;
  t.add(V::post, "/v1/sip-plans", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->sip.initiate(std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/sip-plans/{plan_id}",
        with("plan_id", [e](const std::string& id, Request&& r, const RequestContext& c, Reply reply) {
          e->sip.read(id, std::nullopt, std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/sip-plans/{plan_id}/versions/{version}",
        [e](Request&& r, const RequestContext& c, const PathParams& p, Reply reply) {
          e->sip.read(p.at("plan_id"), p.at("version"), std::move(r), c, std::move(reply));
        });
  for (const char* action : SipEndpoint::kActions) {
    t.add(V::post, std::string("/v1/sip-plans/{plan_id}/") + action,
          with("plan_id", [e, action](const std::string& id, Request&& r, const RequestContext& c, Reply reply) {
            e->sip.change(id, action, "", std::move(r), c, std::move(reply));
          }));
  }
  t.add(V::post, "/v1/sip-plans/{plan_id}/participants/{participant_id}/removal",
        [e](Request&& r, const RequestContext& c, const PathParams& p, Reply reply) {
          e->sip.change(p.at("plan_id"), "removal", p.at("participant_id"), std::move(r), c, std::move(reply));
        });
}

// Återsökningar, manual handling and cases.
void add_case_routes(RouteTable& t, const Endpoints* e) {
  using V = bhttp::verb;
  t.add(V::post, "/v1/atersokningar", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->atersokningar.create(std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/manual-handling", plain([e](Request&& r, const RequestContext& c, Reply reply) {
          e->manual_handling.list(std::move(r), c, std::move(reply));
        }));
  t.add(V::post, "/v1/manual-handling/{item_id}/resolve",
        with("item_id", [e](const std::string& id, Request&& r, const RequestContext& c, Reply reply) {
          e->manual_handling.resolve(id, std::move(r), c, std::move(reply));
        }));
  t.add(V::put, "/v1/cases/{case_id}",
        with("case_id", [e](const std::string& id, Request&& r, const RequestContext& c, Reply reply) {
          e->cases.put(id, std::move(r), c, std::move(reply));
        }));
  t.add(V::get, "/v1/cases/{case_id}",
        with("case_id", [e](const std::string& id, Request&& r, const RequestContext& c, Reply reply) {
          e->cases.get(id, std::move(r), c, std::move(reply));
        }));
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

Router::Router(Endpoints endpoints) : e_(endpoints), table_(gateway_routes(&e_)) {}

void Router::handle(Request&& request, const RequestContext& context, Reply reply) {
  table_.dispatch(std::move(request), context, std::move(reply));
}

void Router::handle_oversize(const Request& header, const RequestContext& context, Reply reply) {
  if (path_of(to_std(header.target())).starts_with(kLookupPrefix)) {
    return e_.lookups.refuse_oversize(header, context, std::move(reply));
  }
  reply(make_problem_response({413, "body_too_large", "Request body too large", {}, {}, {}}));
}

}  // namespace knutpunkt::http
