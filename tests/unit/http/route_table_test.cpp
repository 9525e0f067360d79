// The route table: one match per request, 404 for an unknown path, 405 with Allow for a known
// path asked with another method, path parameters held to the identifier rule.
#include "http/route_table.h"

#include <catch2/catch.hpp>
#include <optional>
#include <stdexcept>

using namespace knutpunkt::http;
namespace bhttp = boost::beast::http;

namespace {

Route route(bhttp::verb method, std::string pattern, RouteAudience audience = RouteAudience::api) {
  return {method, std::move(pattern), Guard::anyone(), {}, [](Exchange) {}, {}, audience};
}

RouteTable sample_table() {
  RouteTable t;
  t.add(route(bhttp::verb::get, "/v1/cases/{case_id}"));
  t.add(route(bhttp::verb::put, "/v1/cases/{case_id}"));
  t.add(route(bhttp::verb::post, "/v1/dead-letters/{message_id}/replay"));
  t.add(route(bhttp::verb::get, "/console/{asset*}", RouteAudience::console));
  t.add(route(bhttp::verb::get, "/v1/events"));
  return t;
}

// The matched route's pattern and parameters, or the status answered instead.
struct Found {
  std::string pattern;
  std::map<std::string, std::string> params;
  unsigned status = 0;
  std::string allow;
};

Found find(const RouteTable& t, bhttp::verb method, const std::string& target) {
  auto found = t.match(method, target);
  if (auto* m = std::get_if<RouteTable::Match>(&found)) return {m->route->pattern, m->params.all(), 0, {}};
  const auto& response = std::get<Response>(found);
  return {{}, {}, response.result_int(), std::string(to_std(response[bhttp::field::allow]))};
}

}  // namespace

TEST_CASE("a request reaches the route of its method and path, with its path parameters") {
  const RouteTable t = sample_table();
  auto put = find(t, bhttp::verb::put, "/v1/cases/EB-2026-000123?x=1");
  CHECK(put.pattern == "/v1/cases/{case_id}");
  CHECK(put.params.at("case_id") == "EB-2026-000123");

  auto replay = find(t, bhttp::verb::post, "/v1/dead-letters/0f8fad5b-d9cb-469f-a165-70867728950e/replay");
  CHECK(replay.pattern == "/v1/dead-letters/{message_id}/replay");
  CHECK(replay.params.at("message_id") == "0f8fad5b-d9cb-469f-a165-70867728950e");

  CHECK(find(t, bhttp::verb::get, "/console/js/app.js").params.at("asset") == "js/app.js");
  CHECK(find(t, bhttp::verb::get, "/console/").params.at("asset") == "");
}

TEST_CASE("an unknown path is 404; a known path with another method is 405 naming the methods it takes") {
  const RouteTable t = sample_table();
  for (const char* target : {"/v1/case", "/v1/cases", "/v1/cases/", "/v1/cases/a/b", "/v1/cases/a b", "/v1/cases/a.b",
                             "/v1/dead-letters/x/replay/again", "/console", "/v1/events/"}) {
    INFO(target);
    CHECK(find(t, bhttp::verb::get, target).status == 404);
  }
  const std::string long_id(65, 'a');
  CHECK(find(t, bhttp::verb::get, "/v1/cases/" + long_id).status == 404);

  auto not_allowed = find(t, bhttp::verb::delete_, "/v1/cases/EB-1");
  CHECK(not_allowed.status == 405);
  CHECK(not_allowed.allow == "GET, PUT");
  auto response = std::get<Response>(t.match(bhttp::verb::delete_, "/v1/cases/EB-1"));
  CHECK(response[bhttp::field::content_type] == "application/problem+json");
  CHECK(find(t, bhttp::verb::head, "/v1/events").allow == "GET");
}

TEST_CASE(
    "a malformed pattern, a route added twice or a guard the route cannot honour is refused when the table is built") {
  RouteTable t;
  t.add(route(bhttp::verb::get, "/a/{id}"));
  CHECK_THROWS_AS(t.add(route(bhttp::verb::get, "/a/{id}")), std::logic_error);
  CHECK_NOTHROW(t.add(route(bhttp::verb::post, "/a/{id}")));
  CHECK_THROWS_AS(t.add(route(bhttp::verb::get, "no-slash")), std::logic_error);
  CHECK_THROWS_AS(t.add(route(bhttp::verb::get, "/a/{rest*}/b")), std::logic_error);
  CHECK_THROWS_AS(t.add(route(bhttp::verb::get, "/a/{bad name}")), std::logic_error);
  // A guarded route must say what its refusals are recorded as.
  CHECK_THROWS_AS(t.add({bhttp::verb::get, "/b", Guard::signed_in(), {}, [](Exchange) {}}), std::logic_error);
  // A partner guard names the path parameter that says which partner.
  CHECK_THROWS_AS(
      t.add({bhttp::verb::post, "/c/{adapter}", Guard::partner_named_by("partner", "x"), "c.refused", [](Exchange) {}}),
      std::logic_error);

  const auto listed = t.to_json();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0] ==
        nlohmann::json{{"method", "GET"}, {"path", "/a/{id}"}, {"audience", "api"}, {"guard", {{"caller", "anyone"}}}});
}
