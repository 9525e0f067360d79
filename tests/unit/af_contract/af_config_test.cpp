// The arbetsformedlingen adapter's config: defaults, and errors that name the offending field.
#include "af_config.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>

#include "core/adapter_registry.h"

namespace af = knutpunkt::arbetsformedlingen;
using nlohmann::json;

namespace {

const std::string kPointer = "/adapters/2/config";

json valid() {
  return json::parse(R"({"endpoint": "http://127.0.0.1:18083/arbetssokande/v1/", "token": "t",
                          "mappings": "mappings/arbetsformedlingen"})");
}

std::string error_field(const json& config) {
  auto parsed = af::read_af_config(config, kPointer, "/etc/knutpunkt");
  if (parsed) return "<accepted>";
  return parsed.error().field;
}

}  // namespace

TEST_CASE("a minimal config is accepted with defaults and paths resolved against the config's folder") {
  auto parsed = af::read_af_config(valid(), kPointer, "/etc/knutpunkt");
  REQUIRE(parsed);
  CHECK(parsed->endpoint.host == "127.0.0.1");
  CHECK(parsed->endpoint.port == "18083");
  CHECK(parsed->endpoint.target == "/arbetssokande/v1");  // trailing slash dropped
  CHECK(parsed->token == "t");
  CHECK(parsed->mappings == std::filesystem::path("/etc/knutpunkt/mappings/arbetsformedlingen"));
  CHECK(parsed->source_timeout == std::chrono::milliseconds{3000});
  CHECK(parsed->max_reply_bytes == 1024 * 1024);
  CHECK(parsed->max_json_depth == 32);
}

TEST_CASE("an https endpoint without tls is refused, naming the adapter's tls field") {
  json config = valid();
  config["endpoint"] = "https://af.example/arbetssokande/v1";
  CHECK(error_field(config) == kPointer + "/tls");
  config["tls"] = {{"ca_file", "ca/af.pem"}};
  auto parsed = af::read_af_config(config, kPointer, "/etc/knutpunkt");
  REQUIRE(parsed);
  CHECK(parsed->endpoint.tls());
  CHECK(parsed->endpoint.port == "443");
  REQUIRE(parsed->tls);
  CHECK(parsed->tls->ca_file == "/etc/knutpunkt/ca/af.pem");
}

TEST_CASE("timeouts, per-source timeouts and limits are read") {
  auto config = valid();
  config["source_timeout_ms"] = 1500;
  config["source_timeouts_ms"] = {{"AKTIVITETSRAPPORTER", 4000}};
  config["max_reply_bytes"] = 2048;
  config["max_json_depth"] = 16;
  auto parsed = af::read_af_config(config, kPointer, "/");
  REQUIRE(parsed);
  CHECK(parsed->source_timeout == std::chrono::milliseconds{1500});
  CHECK(parsed->source_timeouts.at("AKTIVITETSRAPPORTER") == std::chrono::milliseconds{4000});
  CHECK(parsed->max_reply_bytes == 2048);
  CHECK(parsed->max_json_depth == 16);
}

TEST_CASE("config errors name the offending field") {
  CHECK(error_field(json::array()) == kPointer);
  auto c = valid();
  c.erase("endpoint");
  CHECK(error_field(c) == kPointer + "/endpoint");
  c = valid();
  c["endpoint"] = "ftp://af.example/api";
  CHECK(error_field(c) == kPointer + "/endpoint");
  c = valid();
  c["endpoint"] = "http://af.example/api?x=1";
  CHECK(error_field(c) == kPointer + "/endpoint");
  c = valid();
  c.erase("token");
  CHECK(error_field(c) == kPointer + "/token");
  c = valid();
  c["token"] = "";
  CHECK(error_field(c) == kPointer + "/token");
  c = valid();
  c.erase("mappings");
  CHECK(error_field(c) == kPointer + "/mappings");
  c = valid();
  c["tokn"] = "typo";
  CHECK(error_field(c) == kPointer + "/tokn");
  c = valid();
  c["source_timeout_ms"] = 0;
  CHECK(error_field(c) == kPointer + "/source_timeout_ms");
  c = valid();
  c["source_timeouts_ms"] = {{"AF", 100}};
  CHECK(error_field(c) == kPointer + "/source_timeouts_ms/AF");
  c = valid();
  c["source_timeouts_ms"] = {{"BESLUT", "100"}};
  CHECK(error_field(c) == kPointer + "/source_timeouts_ms/BESLUT");
  c = valid();
  c["max_reply_bytes"] = 10;
  CHECK(error_field(c) == kPointer + "/max_reply_bytes");
  c = valid();
  c["max_json_depth"] = 1000;
  CHECK(error_field(c) == kPointer + "/max_json_depth");
}

TEST_CASE("the token can come from the environment, and a missing variable is named") {
  auto c = valid();
  c.erase("token");
  c["token_env"] = "KNUTPUNKT_AF_TEST_TOKEN_UNSET";
  ::unsetenv("KNUTPUNKT_AF_TEST_TOKEN_UNSET");
  CHECK(error_field(c) == kPointer + "/token_env");
  ::setenv("KNUTPUNKT_AF_TEST_TOKEN", "from-env", 1);
  c["token_env"] = "KNUTPUNKT_AF_TEST_TOKEN";
  auto parsed = af::read_af_config(c, kPointer, "/");
  REQUIRE(parsed);
  CHECK(parsed->token == "from-env");
  c["token"] = "also";
  CHECK(error_field(c) == kPointer + "/token_env");
}

TEST_CASE("the registered kind refuses a mappings folder without every AF source") {
  const auto* factory = knutpunkt::AdapterRegistry::instance().find("arbetsformedlingen");
  REQUIRE(factory != nullptr);
  boost::asio::io_context io;
  knutpunkt::net::HttpClient http(io);
  knutpunkt::AdapterContext context{io, http, std::filesystem::path(AF_MAPPINGS_DIR).parent_path(), kPointer};
  auto config = valid();
  config["mappings"] = "arbetsformedlingen";
  auto built = (*factory)(config, context);
  CHECK(built);
  if (built) CHECK((*built)->sources().size() == 4);

  config["mappings"] = "ssbtek";  // XML mappings for other sources
  auto refused = (*factory)(config, context);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().field == kPointer + "/mappings");
}

TEST_CASE("the registered kind refuses to start with a tls CA bundle it cannot load, naming the tls field") {
  const auto* factory = knutpunkt::AdapterRegistry::instance().find("arbetsformedlingen");
  REQUIRE(factory != nullptr);
  boost::asio::io_context io;
  knutpunkt::net::HttpClient http(io);
  knutpunkt::AdapterContext context{io, http, std::filesystem::path(AF_MAPPINGS_DIR).parent_path(), kPointer};
  auto config = valid();
  config["mappings"] = "arbetsformedlingen";
  config["endpoint"] = "https://af.example/arbetssokande/v1";
  config["tls"] = {{"ca_file", "no-such-ca-bundle.pem"}};
  auto refused = (*factory)(config, context);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().field == kPointer + "/tls");
  CHECK_THAT(refused.error().message, Catch::Contains("no-such-ca-bundle.pem"));
}
