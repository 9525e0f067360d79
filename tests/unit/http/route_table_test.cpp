// The route table: one match per request, 404 for an unknown path, 405 with Allow for a known
// path asked with another method, path parameters held to the identifier rule.
#include "http/route_table.h"

#include <catch2/catch.hpp>
#include <optional>
#include <stdexcept>

using namespace knutpunkt::http;
namespace bhttp = boost::beast::http;

namespace {

struct Called {
  std::string route;
  std::map<std::string, std::string> params;
};

struct Answer {
  Response response;
  bool replied = false;
};

Answer ask(const RouteTable& table, bhttp::verb method, const std::string& target) {
  Request request{method, target, 11};
  Answer answer;
  table.dispatch(std::move(request), RequestContext{"127.0.0.1"}, [&](Response response) {
    CHECK_FALSE(answer.replied);
    answer.response = std::move(response);
    answer.replied = true;
  });
  REQUIRE(answer.replied);
  return answer;
}

RouteTable table_for(std::optional<Called>& called) {
  RouteTable t;
  auto record = [&called](std::string route, std::vector<std::string> names) {
    return [&called, route, names](Request&&, const RequestContext&, const PathParams& params, Reply reply) {
      Called c{route, {}};
      for (const auto& name : names) c.params[name] = params.at(name);
      called = c;
      reply(Response{bhttp::status::no_content, 11});
    };
  };
  t.add(bhttp::verb::get, "/v1/cases/{case_id}", record("get case", {"case_id"}));
  t.add(bhttp::verb::put, "/v1/cases/{case_id}", record("put case", {"case_id"}));
  t.add(bhttp::verb::post, "/v1/dead-letters/{message_id}/replay", record("replay", {"message_id"}));
  t.add(bhttp::verb::get, "/console/{asset*}", record("asset", {"asset"}), RouteAudience::console);
  t.add(bhttp::verb::get, "/v1/events", record("events", {}));
  return t;
}

}  // namespace

TEST_CASE("a request reaches the route of its method and path, with its path parameters") {
  std::optional<Called> called;
  const RouteTable t = table_for(called);
  CHECK(ask(t, bhttp::verb::put, "/v1/cases/EB-2026-000123?x=1").response.result() == bhttp::status::no_content);
  REQUIRE(called);
  CHECK(called->route == "put case");
  CHECK(called->params.at("case_id") == "EB-2026-000123");

  ask(t, bhttp::verb::post, "/v1/dead-letters/0f8fad5b-d9cb-469f-a165-70867728950e/replay");
  CHECK(called->route == "replay");
  CHECK(called->params.at("message_id") == "0f8fad5b-d9cb-469f-a165-70867728950e");

  ask(t, bhttp::verb::get, "/console/js/app.js");
  CHECK(called->route == "asset");
  CHECK(called->params.at("asset") == "js/app.js");
  ask(t, bhttp::verb::get, "/console/");
  CHECK(called->params.at("asset") == "");
}

TEST_CASE("an unknown path is 404; a known path with another method is 405 naming the methods it takes") {
  std::optional<Called> called;
  const RouteTable t = table_for(called);
  for (const char* target : {"/v1/case", "/v1/cases", "/v1/cases/", "/v1/cases/a/b", "/v1/cases/a b", "/v1/cases/a.b",
                             "/v1/dead-letters/x/replay/again", "/console", "/v1/events/"}) {
    INFO(target);
    CHECK(ask(t, bhttp::verb::get, target).response.result() == bhttp::status::not_found);
  }
  const std::string long_id(65, 'a');
  CHECK(ask(t, bhttp::verb::get, "/v1/cases/" + long_id).response.result() == bhttp::status::not_found);

  auto not_allowed = ask(t, bhttp::verb::delete_, "/v1/cases/EB-1");
  CHECK(not_allowed.response.result() == bhttp::status::method_not_allowed);
  CHECK(not_allowed.response[bhttp::field::allow] == "GET, PUT");
  CHECK(not_allowed.response[bhttp::field::content_type] == "application/problem+json");
  CHECK(ask(t, bhttp::verb::head, "/v1/events").response[bhttp::field::allow] == "GET");
  CHECK_FALSE(called);
}

TEST_CASE("a malformed pattern or a route added twice is refused when the table is built") {
  RouteTable t;
  auto nothing = [](Request&&, const RequestContext&, const PathParams&, Reply reply) { reply(Response{}); };
  t.add(bhttp::verb::get, "/a/{id}", nothing);
  CHECK_THROWS_AS(t.add(bhttp::verb::get, "/a/{id}", nothing), std::logic_error);
  CHECK_NOTHROW(t.add(bhttp::verb::post, "/a/{id}", nothing));
  CHECK_THROWS_AS(t.add(bhttp::verb::get, "no-slash", nothing), std::logic_error);
  CHECK_THROWS_AS(t.add(bhttp::verb::get, "/a/{rest*}/b", nothing), std::logic_error);
  CHECK_THROWS_AS(t.add(bhttp::verb::get, "/a/{bad name}", nothing), std::logic_error);

  const auto listed = t.to_json();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0] == nlohmann::json{{"method", "GET"}, {"path", "/a/{id}"}, {"audience", "api"}});
}
