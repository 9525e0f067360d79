// The request pipeline and the Exchange: the guard is applied once, before any handler, and each
// refusal is audited under the route's kind; a handler's exchange is answered exactly once (a
// second answer is dropped, none at all is answered 500); what it held is released when answered.
#include "http/request_pipeline.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "core/digest.h"
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

  Fixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "knutpunkt-pipeline-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    auto opened = open_sqlite_store(dir / "p.db");
    REQUIRE(opened.has_value());
    store = std::move(*opened);
    auto log = AuditLog::open(*store);
    REQUIRE(log.has_value());
    audit = std::move(*log);
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
  }
  ~Fixture() {
    audit->stop();
    audit.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }

  Response run(bhttp::verb method, const std::string& target, const std::string& token) {
    Request request{method, target, 11};
    if (!token.empty()) request.set(bhttp::field::authorization, "Bearer " + token);
    std::mutex m;
    std::condition_variable done;
    std::optional<Response> answer;
    RequestPipeline(routes, auth, *audit).handle(std::move(request), RequestContext{"192.0.2.7"}, [&](Response r) {
      std::lock_guard lock(m);
      answer = std::move(r);
      done.notify_one();
    });
    std::unique_lock lock(m);
    REQUIRE(done.wait_for(lock, std::chrono::seconds(5), [&] { return answer.has_value(); }));
    return *answer;
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
  auto record = f.last_record("case.refused");
  CHECK(record["status"] == 401);
  CHECK(record["case_id"] == "EB-1");  // the path's parameters are in the record
  CHECK(record["remote_address"] == "192.0.2.7");
  CHECK_FALSE(record.contains("client"));

  auto wrong_role = f.run(bhttp::verb::get, "/cases/EB-2", "op-token");
  CHECK(wrong_role.result_int() == 403);
  CHECK(body_of(wrong_role)["code"] == "role_not_allowed");
  CHECK(f.last_record("case.refused")["client"] == "operator");
  CHECK(f.handled.size() == 1);  // no refused request reached the handler
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
    Exchange x(Request{bhttp::verb::get, "/x", 11}, RequestContext{"192.0.2.7"}, PathParams{}, rules, *f.audit,
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
    Exchange x(Request{bhttp::verb::get, "/x", 11}, RequestContext{"192.0.2.7"}, PathParams{}, rules, *f.audit,
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
    Exchange x(std::move(request), RequestContext{"192.0.2.7"}, PathParams{}, rules, *f.audit, [&](Response r) {
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
