// The console's file names: plain names, one folder deep at most, checked by hand in one pass so
// that no name, however long, can exhaust the stack.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "http/console_endpoint.h"

using namespace knutpunkt::http;
namespace bhttp = boost::beast::http;

namespace {

unsigned served_status(const ConsoleEndpoint& console, const std::string& asset) {
  Request request{bhttp::verb::get, "/console/" + asset, 11};
  std::optional<unsigned> status;
  console.serve(asset, request, [&](Response response) { status = response.result_int(); });
  REQUIRE(status);
  return *status;
}

}  // namespace

TEST_CASE("plain console file names, one folder deep at most, are allowed") {
  CHECK(plain_console_name("index.html"));
  CHECK(plain_console_name("app.js"));
  CHECK(plain_console_name("pages/records.js"));
  CHECK(plain_console_name("_x-1.min.css"));
  CHECK(plain_console_name(std::string(kMaxConsoleName, 'a')));
}

TEST_CASE("console file names that could leave the folder, hide, or are odd are refused") {
  for (const char* name :
       {"", "..", "../secret", "pages/../../etc/passwd", "a..b", ".hidden", "pages/.hidden", "a/b/c.js", "/etc/passwd",
        "pages/", "/app.js", "app.js%00", "app js", "app\\js", "åäö.js", "app.js?x"}) {
    INFO(name);
    CHECK_FALSE(plain_console_name(name));
  }
  CHECK_FALSE(plain_console_name(std::string(kMaxConsoleName + 1, 'a')));
}

TEST_CASE("console file names of 8,100 and 100,000 characters are not found, without recursing") {
  const ConsoleEndpoint console(KNUTPUNKT_REPO_ROOT "/gateway/console/static");
  CHECK(served_status(console, std::string(8100, 'a')) == 404);
  CHECK(served_status(console, std::string(100000, 'a')) == 404);
  CHECK(served_status(console, "pages/" + std::string(100000, 'b')) == 404);
  CHECK(served_status(console, "app.js") == 200);
}
