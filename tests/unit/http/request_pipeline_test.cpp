// The request pipeline and the Exchange: the guard is applied once, before any handler, and each
// refusal is audited under the route's kind; a handler's exchange is answered exactly once (a
// second answer is dropped, none at all is answered 500); what it held is released when answered.
#include "http/request_pipeline.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "audit/audit_verifier.h"
#include "audit/canonical_json.h"
#include "core/digest.h"
#include "http/event_feed_endpoint.h"
#include "http/manual_handling_endpoint.h"
#include "store/sqlite/sqlite_store.h"

using namespace knutpunkt;
using namespace knutpunkt::http;
namespace bhttp = boost::beast::http;

namespace {

ClientConfig client(std::string id, std::string token, std::set<std::string> roles,
                    std::set<std::string> operations = {}, std::string partner = {}) {
  ClientConfig c;
  c.id = std::move(id);
  c.token_sha256 = sha256_hex(token);
  c.roles = std::move(roles);
  c.operations = std::move(operations);
  c.partner_adapter = std::move(partner);
  return c;
}

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> audit;
  ClientAuth auth{{client("case-system", "cs-token", {kRoleCaseSystem}, {kOperationSip}),
                   client("operator", "op-token", {kRoleOperator}),
                   client("jobbtorg-soder", "js-token", {kRolePartner}, {}, "jobbtorg-soder")}};
  RouteTable routes;
  std::vector<std::string> handled;
  // The wall clock the unauthenticated refusals and the rate limit see, moved by the tests.
  std::chrono::system_clock::time_point now =
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 24} + std::chrono::hours{10} + std::chrono::seconds{5};
  std::unique_ptr<UnauthenticatedRefusals> unauthenticated;
  std::unique_ptr<AddressRateLimit> limit;
  std::unique_ptr<ManualQueue> manual_queue;
  std::unique_ptr<ManualHandlingEndpoint> manual;
  std::unique_ptr<routing::EventFeed> feed;
  std::unique_ptr<EventFeedEndpoint> events;
  std::unique_ptr<RequestMetrics> metrics;  // laid out once every route is added

  explicit Fixture(UnauthenticatedConfig config = {}) {
    std::string pattern = (std::filesystem::temp_directory_path() / "knutpunkt-pipeline-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    auto opened = open_sqlite_store(dir / "p.db");
    REQUIRE(opened.has_value());
    store = std::move(*opened);
    auto log = AuditLog::open(*store);
    REQUIRE(log.has_value());
    audit = std::move(*log);
    unauthenticated = std::make_unique<UnauthenticatedRefusals>(*audit, config, [this] { return now; });
    limit = std::make_unique<AddressRateLimit>(config, [this] { return now; });
    manual_queue = std::make_unique<ManualQueue>(*store);
    manual = std::make_unique<ManualHandlingEndpoint>(*manual_queue);
    feed = std::make_unique<routing::EventFeed>(*store);
    events = std::make_unique<EventFeedEndpoint>(*feed);
    const auto ok = [this](std::string name) {
      return [this, name](Exchange x) {
        handled.push_back(name);
        x.reply(make_json_response(200, {{"client", x.client().id}}));
      };
    };
    routes.add({bhttp::verb::get, "/cases/{case_id}", Guard::with_role(kRoleCaseSystem, "case systems only"),
                "case.refused", ok("case")});
    routes.add({bhttp::verb::post, "/plans",
                Guard::with_role(kRoleCaseSystem, "case systems only").granted("coordination", "not granted"),
                "plan.refused", ok("plan")});
    routes.add({bhttp::verb::post, "/partners/{adapter}/reports",
                Guard::partner_named_by("adapter", "this client may not send reports for this partner"),
                "report.refused", ok("report")});
    routes.add({bhttp::verb::post, "/open", Guard::anyone(), {}, ok("open")});
    // Two real endpoints whose refusals read the query string.
    routes.add({bhttp::verb::get, "/v1/manual-handling", Guard::with_role(kRoleOperator, "operators only"),
                "manual_handling.read_refused", [this](Exchange x) { manual->list(std::move(x)); }});
    routes.add({bhttp::verb::get, "/v1/events", Guard::with_role(kRoleCaseSystem, "case systems only"),
                "event_feed.refused", [this](Exchange x) { events->handle(std::move(x)); }});
    metrics = std::make_unique<RequestMetrics>(routes);
  }
  ~Fixture() {
    audit->stop();
    audit.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }

  Response run(bhttp::verb method, const std::string& target, const std::string& token,
               const std::string& address = "192.0.2.7", bool oversize = false) {
    Request request{method, target, 11};
    if (!token.empty()) request.set(bhttp::field::authorization, "Bearer " + token);
    std::mutex m;
    std::condition_variable done;
    std::optional<Response> answer;
    const RequestPipeline pipeline(routes, auth, *audit, *unauthenticated, *limit, *metrics);
    const auto reply = [&](Response r) {
      std::lock_guard lock(m);
      answer = std::move(r);
      done.notify_one();
    };
    if (oversize) {
      pipeline.refuse_unread(request,
                             {413, "body_too_large", "Request body too large", "over the limit", {}, {}},
                             RequestContext{address, nullptr}, reply);
    } else {
      pipeline.handle(std::move(request), RequestContext{address, nullptr}, reply);
    }
    std::unique_lock lock(m);
    REQUIRE(done.wait_for(lock, std::chrono::seconds(5), [&] { return answer.has_value(); }));
    return *answer;
  }

  std::vector<AuditRecord> records() {
    std::vector<AuditRecord> out;
    REQUIRE(store
                ->scan_audit(1,
                             [&](const AuditRecord& r) {
                               out.push_back(r);
                               return true;
                             })
                .has_value());
    return out;
  }

  // Every record of `kind`, once what was appended is durable (the log is stopped for it).
  std::vector<nlohmann::json> durable(const std::string& kind) {
    audit->stop();
    std::vector<nlohmann::json> out;
    for (const auto& r : records()) {
      if (r.kind == kind) out.push_back(r.body);
    }
    return out;
  }

  nlohmann::json last_record(const std::string& kind) {
    nlohmann::json found;
    REQUIRE(store
                ->scan_audit(1,
                             [&](const AuditRecord& r) {
                               if (r.kind == kind) found = r.body;
                               return true;
                             })
                .has_value());
    return found;
  }
};

nlohmann::json body_of(const Response& r) {
  return nlohmann::json::parse(r.body());
}

}  // namespace

TEST_CASE("a route's guard admits its callers and refuses the others, audited under the route's kind") {
  Fixture f;
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "cs-token").result_int() == 200);
  CHECK(f.handled == std::vector<std::string>{"case"});

  auto anonymous = f.run(bhttp::verb::get, "/cases/EB-1", "");
  CHECK(anonymous.result_int() == 401);
  CHECK(body_of(anonymous)["code"] == "unauthenticated");
  CHECK(anonymous[bhttp::field::www_authenticate] == "Bearer realm=\"knutpunkt\"");

  auto wrong_role = f.run(bhttp::verb::get, "/cases/EB-2?view=full", "op-token");
  CHECK(wrong_role.result_int() == 403);
  CHECK(body_of(wrong_role)["code"] == "role_not_allowed");
  CHECK(f.handled.size() == 1);  // no refused request reached the handler

  // The client's refusal is a record of its own; the unknown caller's is counted for its address.
  const auto refused = f.durable("case.refused");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0]["status"] == 403);
  CHECK(refused[0]["client"] == "operator");
  CHECK(refused[0]["case_id"] == "EB-2");     // the path's parameters are in the record
  CHECK(refused[0]["query"] == "view=full");  // and what the query asked
  CHECK(refused[0]["remote_address"] == "192.0.2.7");
}

TEST_CASE("an unknown caller's 401 is not a record of its own but counted for its address until the minute closes") {
  Fixture f;
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "").result_int() == 401);
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "not-a-token").result_int() == 401);
  f.unauthenticated->flush_closed();  // the minute has not closed
  CHECK(f.unauthenticated->open_aggregates() == 1);
  f.now += std::chrono::seconds{55};  // 10:01:00
  f.unauthenticated->flush_closed();
  CHECK(f.unauthenticated->open_aggregates() == 0);
  const auto aggregates = f.durable(kUnauthenticatedRefusalsKind);
  REQUIRE(aggregates.size() == 1);
  CHECK(aggregates[0]["remote_address"] == "192.0.2.7");
  CHECK(aggregates[0]["minute"] == "2026-11-24T10:00:00.000Z");
  CHECK(aggregates[0]["count"] == 2);
  CHECK(aggregates[0]["refused"] ==
        nlohmann::json::array({{{"route", "GET /cases/{case_id}"}, {"status", 401}, {"count", 2}}}));
  CHECK(f.durable("case.refused").empty());
}

TEST_CASE("1,000 unauthenticated requests from one address are one audit record once the minute closes") {
  Fixture f;  // the default limit: a burst of 60, then 429
  int unauthenticated = 0;
  int too_many = 0;
  for (int i = 0; i < 1000; ++i) {
    const int status = f.run(bhttp::verb::get, "/cases/EB-" + std::to_string(i), "").result_int();
    unauthenticated += status == 401 ? 1 : 0;
    too_many += status == 429 ? 1 : 0;
    if (i % 100 == 99) f.now += std::chrono::milliseconds{500};  // all within 10:00:05..10:00:10
  }
  CHECK(unauthenticated + too_many == 1000);
  CHECK(too_many > 900);
  f.now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 24} + std::chrono::hours{10} + std::chrono::minutes{1};
  f.unauthenticated->flush_closed();
  f.audit->stop();
  const auto all = f.records();
  REQUIRE(all.size() == 1);
  CHECK(all[0].kind == kUnauthenticatedRefusalsKind);
  const nlohmann::json& aggregate = all[0].body;
  CHECK(aggregate["count"] == 1000);
  CHECK(aggregate["first_at"] == "2026-11-24T10:00:05.000Z");
  CHECK(aggregate["last_at"] == "2026-11-24T10:00:09.500Z");
  CHECK(aggregate["refused"] == nlohmann::json::array({
                                    {{"route", "GET /cases/{case_id}"}, {"status", 401}, {"count", unauthenticated}},
                                    {{"route", "GET /cases/{case_id}"}, {"status", 429}, {"count", too_many}},
                                }));
}

TEST_CASE("an address out of tokens is answered 429 with Retry-After for unknown callers, never for a valid token, and refills") {
  UnauthenticatedConfig config;
  config.burst = 3;
  config.per_minute = 30;  // a token every 2 s
  Fixture f(config);
  for (int i = 0; i < 3; ++i)
    CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "guess-" + std::to_string(i)).result_int() == 401);
  auto busy = f.run(bhttp::verb::get, "/cases/EB-1", "guess-4");
  CHECK(busy.result_int() == 429);
  CHECK(body_of(busy)["code"] == "too_many_requests");
  CHECK(busy[bhttp::field::retry_after] == "2");
  // A client with a valid token behind the same address (a load balancer, a NAT) is served.
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "cs-token").result_int() == 200);
  CHECK(f.run(bhttp::verb::get, "/nowhere", "").result_int() == 429);
  // Another address is not held back by this one.
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "", "198.51.100.9").result_int() == 401);
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "cs-token", "198.51.100.9").result_int() == 200);
  f.now += std::chrono::seconds{2};
  // A known client's requests take no tokens: the refill is there for the next unknown one.
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "").result_int() == 401);
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "").result_int() == 429);

  f.unauthenticated->flush_all();
  std::map<std::string, std::uint64_t> counted;
  for (const auto& aggregate : f.durable(kUnauthenticatedRefusalsKind)) {
    counted[aggregate["remote_address"].get<std::string>()] += aggregate["count"].get<std::uint64_t>();
  }
  CHECK(counted == std::map<std::string, std::uint64_t>{{"192.0.2.7", 7}, {"198.51.100.9", 1}});
}

TEST_CASE("at most max_addresses aggregates are open: past the cap the oldest is appended early") {
  UnauthenticatedConfig config;
  config.max_addresses = 2;
  Fixture f(config);
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "", "192.0.2.1").result_int() == 401);
  f.now += std::chrono::seconds{1};
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "", "192.0.2.2").result_int() == 401);
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "", "192.0.2.3").result_int() == 401);
  CHECK(f.unauthenticated->open_aggregates() == 2);
  CHECK(f.limit->tracked() == 2);
  const auto early = f.durable(kUnauthenticatedRefusalsKind);
  REQUIRE(early.size() == 1);
  CHECK(early[0]["remote_address"] == "192.0.2.1");
  CHECK(early[0]["appended_early"] == true);
  CHECK(early[0]["count"] == 1);
}

TEST_CASE("an aggregate names a bounded number of routes and counts the rest together") {
  UnauthenticatedConfig config;
  config.max_routes_per_aggregate = 1;
  Fixture f(config);
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "").result_int() == 401);
  CHECK(f.run(bhttp::verb::post, "/plans", "").result_int() == 401);
  CHECK(f.run(bhttp::verb::get, "/nowhere", "").result_int() == 404);
  f.unauthenticated->flush_all();
  const auto aggregates = f.durable(kUnauthenticatedRefusalsKind);
  REQUIRE(aggregates.size() == 1);
  CHECK(aggregates[0]["count"] == 3);
  CHECK(aggregates[0]["refused"].size() == 1);
  CHECK(aggregates[0]["other_routes_count"] == 2);
}

TEST_CASE("a path no route has and a body over the limit from an unknown caller are counted, not recorded one each") {
  Fixture f;
  CHECK(f.run(bhttp::verb::get, "/nowhere/\xff\xc0", "").result_int() == 404);
  CHECK(f.run(bhttp::verb::delete_, "/cases/EB-1", "cs-token").result_int() == 405);
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "", "192.0.2.7", true).result_int() == 413);
  // With a valid token the 413 names its client, under the route's kind.
  CHECK(f.run(bhttp::verb::get, "/cases/EB-1", "cs-token", "192.0.2.7", true).result_int() == 413);
  f.unauthenticated->flush_all();
  const auto aggregates = f.durable(kUnauthenticatedRefusalsKind);
  REQUIRE(aggregates.size() == 1);
  CHECK(aggregates[0]["refused"] == nlohmann::json::array({
                                        {{"route", "DELETE (no route)"}, {"status", 405}, {"count", 1}},
                                        {{"route", "GET (no route)"}, {"status", 404}, {"count", 1}},
                                        {{"route", "GET /cases/{case_id}"}, {"status", 413}, {"count", 1}},
                                    }));
  const auto refused = f.last_record("case.refused");
  CHECK(refused["status"] == 413);
  CHECK(refused["client"] == "case-system");
}

TEST_CASE("a body over the limit on a route open to anyone is audited as http.refused when its token names a client") {
  Fixture f;
  CHECK(f.run(bhttp::verb::post, "/open", "cs-token", "192.0.2.7", true).result_int() == 413);
  const auto refused = f.durable("http.refused");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0]["status"] == 413);
  CHECK(refused[0]["code"] == "body_too_large");
  CHECK(refused[0]["client"] == "case-system");
  CHECK(f.handled.empty());
}

TEST_CASE("a query parameter whose name is not UTF-8 is refused 400 and audited with it escaped; the chain verifies") {
  Fixture f;
  // The bytes as sent on the wire, and percent-encoded.
  auto raw = f.run(bhttp::verb::get, "/v1/manual-handling?\xff\xc0=1", "op-token");
  CHECK(raw.result_int() == 400);
  auto encoded = f.run(bhttp::verb::get, "/v1/events?%FF%C0=1", "cs-token");
  CHECK(encoded.result_int() == 400);
  CHECK(body_of(encoded)["invalid-params"][0]["code"] == "unknown_parameter");

  const auto manual = f.durable("manual_handling.read_refused");
  REQUIRE(manual.size() == 1);
  CHECK(unescape_utf8(manual[0]["query"].get<std::string>()) == "\xff\xc0=1");
  CHECK(unescape_utf8(manual[0]["invalid_params"][0]["name"].get<std::string>()) == "\xff\xc0");
  const auto feed = f.durable("event_feed.refused");
  REQUIRE(feed.size() == 1);
  CHECK(feed[0]["query"] == "%FF%C0=1");
  CHECK(unescape_utf8(feed[0]["invalid_params"][0]["name"].get<std::string>()) == "\xff\xc0");
  auto report = verify_chain(*f.store);
  REQUIRE(report.has_value());
  CHECK(report->intact());
  CHECK(report->records == 2);
}

TEST_CASE("the manual-handling list's 400s are audited: a bad parameter, a bad status, an unknown cursor") {
  Fixture f;
  CHECK(f.run(bhttp::verb::get, "/v1/manual-handling?status=maybe", "op-token").result_int() == 400);
  CHECK(f.run(bhttp::verb::get, "/v1/manual-handling?after=no-such-item", "op-token").result_int() == 400);
  CHECK(f.run(bhttp::verb::get, "/v1/manual-handling?a=%zz", "op-token").result_int() == 400);
  const auto refused = f.durable("manual_handling.read_refused");
  REQUIRE(refused.size() == 3);
  CHECK(refused[0]["invalid_params"][0]["name"] == "status");
  CHECK(refused[1]["invalid_params"][0]["code"] == "bad_cursor");
  CHECK(refused[2]["invalid_params"][0]["code"] == "bad_format");
  for (const auto& r : refused) CHECK(r["client"] == "operator");
}

TEST_CASE("an operation the client is not granted is refused after its role is admitted") {
  Fixture f;
  auto refused = f.run(bhttp::verb::post, "/plans", "cs-token");
  CHECK(refused.result_int() == 403);
  CHECK(body_of(refused)["code"] == "operation_not_allowed");
  CHECK(f.last_record("plan.refused")["operation"] == "coordination");
  CHECK(f.handled.empty());
}

TEST_CASE("a partner speaks only for the adapter its client is bound to") {
  Fixture f;
  CHECK(f.run(bhttp::verb::post, "/partners/jobbtorg-soder/reports", "js-token").result_int() == 200);
  CHECK(f.run(bhttp::verb::post, "/partners/jobbtorg-city/reports", "js-token").result_int() == 403);
  CHECK(f.run(bhttp::verb::post, "/partners/jobbtorg-soder/reports", "cs-token").result_int() == 403);
  CHECK(f.handled == std::vector<std::string>{"report"});
}

TEST_CASE("an exchange is answered exactly once, and what it held is released when it is answered") {
  Fixture f;
  std::vector<Response> sent;
  const ExchangeRules rules{"GET /x", "x.refused", {}};
  int released = 0;
  {
    Exchange x(Request{bhttp::verb::get, "/x", 11}, RequestContext{"192.0.2.7", nullptr}, PathParams{}, rules, *f.audit,
               [&](Response r) { sent.push_back(std::move(r)); });
    x.release_on_reply([&] { ++released; });
    x.reply(make_json_response(200, {{"first", true}}));
    CHECK(released == 1);
    x.reply(make_json_response(200, {{"second", true}}));  // dropped and logged
  }
  REQUIRE(sent.size() == 1);
  CHECK(body_of(sent[0])["first"] == true);
  CHECK(released == 1);
}

TEST_CASE("a handler that drops its exchange unanswered still gets the client an answer: 500") {
  Fixture f;
  std::vector<Response> sent;
  const ExchangeRules rules{"GET /x", "x.refused", {}};
  bool released = false;
  {
    Exchange x(Request{bhttp::verb::get, "/x", 11}, RequestContext{"192.0.2.7", nullptr}, PathParams{}, rules, *f.audit,
               [&](Response r) { sent.push_back(std::move(r)); });
    x.release_on_reply([&] { released = true; });
  }
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].result_int() == 500);
  CHECK(released);
}

TEST_CASE("a JSON body is read one way: 415 when not JSON, 400 when not an object, both audited") {
  Fixture f;
  const ExchangeRules rules{"POST /x", "x.refused", {}};
  const auto read = [&](std::string content_type, std::string body) {
    Request request{bhttp::verb::post, "/x", 11};
    request.set(bhttp::field::content_type, content_type);
    request.body() = std::move(body);
    std::mutex m;
    std::condition_variable done;
    std::optional<Response> answer;
    Exchange x(std::move(request), RequestContext{"192.0.2.7", nullptr}, PathParams{}, rules, *f.audit, [&](Response r) {
      std::lock_guard lock(m);
      answer = std::move(r);
      done.notify_one();
    });
    auto parsed = x.json_object();
    if (parsed) x.reply(make_json_response(200, *parsed));
    std::unique_lock lock(m);
    REQUIRE(done.wait_for(lock, std::chrono::seconds(5), [&] { return answer.has_value(); }));
    return *answer;
  };
  CHECK(read("text/plain", "{}").result_int() == 415);
  CHECK(f.last_record("x.refused")["code"] == "unsupported_media_type");
  CHECK(read("application/json", "[1]").result_int() == 400);
  CHECK(read("application/json", "{\"a\": 1").result_int() == 400);
  CHECK(f.last_record("x.refused")["code"] == "invalid_json");
  CHECK(read("application/json; charset=utf-8", "{\"a\": 1}").result_int() == 200);
}

TEST_CASE("a personnummer in a path or query string is refused 400 before any guard or handler, audited masked") {
  Fixture f;
  // On a route that exists, on a query parameter, percent-encoded, and on a path no route has.
  auto in_path = f.run(bhttp::verb::get, "/cases/191212121212", "cs-token");
  CHECK(in_path.result_int() == 400);
  CHECK(body_of(in_path)["code"] == "personal_data_in_url");
  CHECK(body_of(in_path)["invalid-params"][0]["name"] == "path");
  auto in_query = f.run(bhttp::verb::get, "/cases/EB-1?person=19121212-1212&x=1", "cs-token");
  CHECK(in_query.result_int() == 400);
  CHECK(body_of(in_query)["invalid-params"][0]["name"] == "person");
  CHECK(f.run(bhttp::verb::get, "/v1/events?person_id=121212%2B1212", "cs-token").result_int() == 400);
  CHECK(f.run(bhttp::verb::get, "/nowhere/121212-1212/timeline", "op-token").result_int() == 400);
  // The guard is not what answers: the operator would have been refused 403 here.
  CHECK(f.run(bhttp::verb::get, "/cases/191212121212", "op-token").result_int() == 400);
  CHECK(f.handled.empty());

  const auto refused = f.durable(kPersonalDataInUrlKind);
  REQUIRE(refused.size() == 5);
  CHECK(refused[0]["client"] == "case-system");
  CHECK(refused[0]["route"] == "GET /cases/{case_id}");
  CHECK(refused[0]["target"] == "/cases/XXXXXXXXXXXX");
  CHECK(refused[1]["target"] == "/cases/EB-1?person=XXXXXXXX-XXXX&x=1");
  CHECK(refused[1]["places"] == nlohmann::json::array({"person"}));
  CHECK(refused[2]["target"] == "/v1/events?person_id=XXXXXX+XXXX");
  CHECK(refused[3]["route"] == "GET (no route)");
  CHECK(refused[3]["target"] == "/nowhere/XXXXXX-XXXX/timeline");
  // No record of the whole log holds the number, in any of the forms sent.
  for (const auto& r : f.records()) {
    const std::string text = r.body.dump();
    for (const char* number : {"191212121212", "19121212-1212", "121212-1212", "1212121212", "121212+1212"}) {
      CHECK(text.find(number) == std::string::npos);
    }
  }
}

TEST_CASE("an unknown caller's personnummer in the URL is refused 400 and counted, not recorded with the target") {
  Fixture f;
  CHECK(f.run(bhttp::verb::get, "/cases/191212121212", "").result_int() == 400);
  f.now += std::chrono::minutes{1};
  f.unauthenticated->flush_closed();
  const auto aggregates = f.durable(kUnauthenticatedRefusalsKind);
  REQUIRE(aggregates.size() == 1);
  CHECK(aggregates[0].dump().find("191212121212") == std::string::npos);
  CHECK(f.durable(kPersonalDataInUrlKind).empty());
}

TEST_CASE("a personnummer in the URL of a request refused unread is audited masked, not as sent") {
  Fixture f;
  CHECK(f.run(bhttp::verb::post, "/plans?person=191212121212", "cs-token", "192.0.2.7", true).result_int() == 400);
  const auto refused = f.durable(kPersonalDataInUrlKind);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0]["target"] == "/plans?person=XXXXXXXXXXXX");
  CHECK(f.durable("plan.refused").empty());
}

TEST_CASE("ids that are not personnummer pass the pipeline: cases, UUIDs, sequence numbers, dates") {
  Fixture f;
  for (const char* target : {"/cases/EB-2026-0001", "/cases/c7d1f3a0-1b2c-4d5e-8f90-123456789abc",
                             "/cases/19121212-1212-4d5e-8f90-123456789abc", "/cases/1234567890",
                             "/cases/EB191212121212", "/cases/EB-1?since=2026-11-24&after=123456789012",
                             "/cases/EB-1?since=20261124&until=2026-11-24T10:00:00Z"}) {
    INFO(target);
    CHECK(f.run(bhttp::verb::get, target, "cs-token").result_int() == 200);
  }
  CHECK(f.durable(kPersonalDataInUrlKind).empty());
}

TEST_CASE("every answer is counted under its route's pattern and status, never under the path as sent") {
  Fixture f;
  CHECK(f.run(bhttp::verb::get, "/cases/EB-2026-000123", "cs-token").result_int() == 200);
  CHECK(f.run(bhttp::verb::get, "/cases/EB-2026-000124", "cs-token").result_int() == 200);
  CHECK(f.run(bhttp::verb::get, "/cases/EB-2026-000125", "op-token").result_int() == 403);
  CHECK(f.run(bhttp::verb::get, "/cases/EB-2026-000126", "").result_int() == 401);
  CHECK(f.run(bhttp::verb::post, "/plans", "cs-token").result_int() == 403);
  const std::string text = f.metrics->render_prometheus();
  INFO(text);
  CHECK(text.find("knutpunkt_http_requests_total{route=\"/cases/{case_id}\",method=\"GET\",status=\"200\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_http_requests_total{route=\"/cases/{case_id}\",method=\"GET\",status=\"403\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_http_requests_total{route=\"/cases/{case_id}\",method=\"GET\",status=\"401\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_http_requests_total{route=\"/plans\",method=\"POST\",status=\"403\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_http_request_duration_seconds_count{route=\"/cases/{case_id}\",method=\"GET\"} 4\n") !=
        std::string::npos);
  CHECK(text.find("EB-2026") == std::string::npos);
}

TEST_CASE("requests no route takes are counted as route unmatched under their method, whatever their path") {
  Fixture f;
  CHECK(f.run(bhttp::verb::get, "/nowhere/EB-1", "cs-token").result_int() == 404);
  CHECK(f.run(bhttp::verb::get, "/elsewhere", "").result_int() == 404);
  CHECK(f.run(bhttp::verb::delete_, "/open", "").result_int() == 405);
  // Refused before the route's guard: still the route's pattern, and no number in any label.
  CHECK(f.run(bhttp::verb::get, "/cases/191212121212", "cs-token").result_int() == 400);
  CHECK(f.run(bhttp::verb::get, "/nowhere/19121212-1212", "").result_int() == 400);
  // Refused from the header alone (a body over the limit).
  CHECK(f.run(bhttp::verb::post, "/plans", "", "192.0.2.7", true).result_int() == 413);
  const std::string text = f.metrics->render_prometheus();
  INFO(text);
  CHECK(text.find("knutpunkt_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_http_requests_total{route=\"unmatched\",method=\"DELETE\",status=\"405\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"400\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_http_requests_total{route=\"/cases/{case_id}\",method=\"GET\",status=\"400\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_http_requests_total{route=\"/plans\",method=\"POST\",status=\"413\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("knutpunkt_http_request_duration_seconds_count{route=\"unmatched\",method=\"GET\"} 3\n") !=
        std::string::npos);
  for (const char* sent : {"nowhere", "elsewhere", "1212"}) CHECK(text.find(sent) == std::string::npos);
}

TEST_CASE("a pipeline refuses request metrics laid out for another route table") {
  Fixture f;
  RouteTable other;
  other.add({bhttp::verb::get, "/only", Guard::anyone(), {}, [](Exchange) {}});
  RequestMetrics elsewhere(other);
  CHECK_THROWS_AS(RequestPipeline(f.routes, f.auth, *f.audit, *f.unauthenticated, *f.limit, elsewhere),
                  std::logic_error);
}
