// The classification of AF's replies into SourceOutcomes, and the question the adapter sends.
#include "af_reply.h"

#include <catch2/catch.hpp>

#include "af_adapter.h"
#include "af_test_support.h"

namespace af = knutpunkt::arbetsformedlingen;
using knutpunkt::SourceStatus;
namespace net = knutpunkt::net;

namespace {

net::HttpResult reply(unsigned status, std::string body) {
  return net::HttpResponse{
      .status = status, .content_type = "application/json", .retry_after = "", .body = std::move(body)};
}

knutpunkt::SourceOutcome classify(const net::HttpResult& result, const std::string& source = "INSKRIVNING",
                                  af::ReplyLimits limits = {}) {
  return af::read_af_reply(source, result, af_test::mappings().at(source), limits);
}

}  // namespace

TEST_CASE("a 200 answer is ok with the mapped events and the protected flag copied to the outcome") {
  const auto plain = classify(reply(200, af_test::fixture_text("BESLUT.json")), "BESLUT");
  CHECK(plain.status == SourceStatus::ok);
  CHECK(plain.source == "BESLUT");
  CHECK_FALSE(plain.protected_identity);
  REQUIRE(plain.events.size() == 2);
  CHECK(plain.events[0].type == "employment.programme_decision");
  CHECK(plain.events[0].occurred_at == "2025-12-15");
  CHECK(plain.events[0].facts["daily_amount_ore"] == 22300);

  const auto guarded = classify(reply(200, af_test::fixture_text("BESLUT-protected.json")), "BESLUT");
  CHECK(guarded.status == SourceStatus::ok);
  CHECK(guarded.protected_identity);
  CHECK(guarded.events.size() == 1);
}

TEST_CASE("a person not registered at AF is an ok answer, not an error") {
  const auto outcome =
      classify(reply(200, af_test::fixture_text("AKTIVITETSRAPPORTER-nodata.json")), "AKTIVITETSRAPPORTER");
  CHECK(outcome.status == SourceStatus::ok);
  CHECK(outcome.events.empty());
  CHECK(outcome.partner_code.empty());
}

TEST_CASE("an unknown person (404) is an error carrying AF's felkod and message") {
  const auto outcome = classify(reply(404, af_test::fixture_text("error-unknown-person.json")));
  CHECK(outcome.status == SourceStatus::error);
  CHECK(outcome.partner_code == "PERSON_OKAND");
  CHECK(outcome.partner_message == "Personen finns inte hos Arbetsförmedlingen");
  CHECK(outcome.events.empty());
}

TEST_CASE("AF's refusal without consent (403) is an error with AF's code") {
  const auto outcome = classify(reply(403, af_test::fixture_text("error-no-consent.json")));
  CHECK(outcome.status == SourceStatus::error);
  CHECK(outcome.partner_code == "SAMTYCKE_SAKNAS");
}

TEST_CASE("a 4xx without AF's error body is an error named by its HTTP status") {
  CHECK(classify(reply(400, "<html>Bad Request</html>")).partner_code == "http_400");
  CHECK(classify(reply(401, "")).status == SourceStatus::error);
  CHECK(classify(reply(401, "")).partner_code == "http_401");
  CHECK(classify(reply(404, R"({"felkod": 17})")).partner_code == "http_404");
}

TEST_CASE("5xx and 429 are unavailable, keeping AF's felkod when it sent one") {
  const auto down = classify(reply(503, af_test::fixture_text("error-unavailable.json")));
  CHECK(down.status == SourceStatus::unavailable);
  CHECK(down.partner_code == "TEKNISKT_FEL");
  const auto bare = classify(reply(500, "Internal Server Error"));
  CHECK(bare.status == SourceStatus::unavailable);
  CHECK(bare.partner_code == "http_500");
  CHECK(classify(reply(429, R"({"felkod":"FOR_MANGA_ANROP","felmeddelande":"x"})")).status ==
        SourceStatus::unavailable);
}

TEST_CASE("transport failures are timeout or unavailable, an oversized transfer an error") {
  const auto failure = [](net::TransportErrorKind kind) {
    return classify(net::HttpResult(std::unexpect, net::TransportError{kind, "test"}));
  };
  CHECK(failure(net::TransportErrorKind::timeout).status == SourceStatus::timeout);
  CHECK(failure(net::TransportErrorKind::connect_failed).status == SourceStatus::unavailable);
  CHECK(failure(net::TransportErrorKind::connection_lost).status == SourceStatus::unavailable);
  CHECK(failure(net::TransportErrorKind::too_large).status == SourceStatus::error);
  CHECK(failure(net::TransportErrorKind::too_large).partner_code == "reply_too_large");
  CHECK(failure(net::TransportErrorKind::protocol).status == SourceStatus::error);
}

TEST_CASE("a TLS failure is unavailable and its reason reaches the audit record and the caller") {
  const auto outcome = classify(net::HttpResult(
      std::unexpect,
      net::TransportError{net::TransportErrorKind::tls_failed,
                          "TLS with af.example:443 failed: certificate verify failed: certificate has expired"}));
  CHECK(outcome.status == SourceStatus::unavailable);
  CHECK(outcome.partner_code == "tls_failed");
  CHECK_THAT(outcome.partner_message, Catch::Contains("certificate has expired"));
}

TEST_CASE("a malformed 200 answer is an error, never an empty ok") {
  for (const char* body : {"", "{\"sekretessmarkering\": false", "[]", "\"text\"", "not json"}) {
    INFO(body);
    const auto outcome = classify(reply(200, body));
    CHECK(outcome.status == SourceStatus::error);
    CHECK(outcome.partner_code == "malformed_reply");
    CHECK(outcome.events.empty());
  }
}

TEST_CASE("a 200 answer over the size or depth limit is an error") {
  const std::string text = af_test::fixture_text("HANDLINGSPLAN.json");
  const auto big =
      classify(reply(200, text), "HANDLINGSPLAN", af::ReplyLimits{.max_reply_bytes = 100, .max_json_depth = 32});
  CHECK(big.status == SourceStatus::error);
  CHECK(big.partner_code == "reply_too_large");
  const auto deep =
      classify(reply(200, text), "HANDLINGSPLAN", af::ReplyLimits{.max_reply_bytes = 1 << 20, .max_json_depth = 3});
  CHECK(deep.status == SourceStatus::error);
  CHECK(deep.partner_code == "malformed_reply");
  CHECK(classify(reply(200, text), "HANDLINGSPLAN").status == SourceStatus::ok);
}

TEST_CASE("a 200 answer the mapping refuses is an error naming the field, not the value") {
  auto answer = af_test::fixture("INSKRIVNING.json");
  answer["inskrivningsdatum"] = "2025-13-45";
  const auto outcome = classify(reply(200, answer.dump()));
  CHECK(outcome.status == SourceStatus::error);
  CHECK(outcome.partner_code == "mapping_failed");
  CHECK(outcome.partner_message.find("/inskrivningsdatum") != std::string::npos);
  CHECK(outcome.partner_message.find("2025-13-45") == std::string::npos);
}

TEST_CASE("an unexpected 3xx is an error") {
  CHECK(classify(reply(302, "")).status == SourceStatus::error);
  CHECK(classify(reply(302, "")).partner_code == "http_302");
}

TEST_CASE("json nesting depth ignores brackets inside strings") {
  CHECK(knutpunkt::mapping::json_nesting_depth(R"({"a": "[[[{{{", "b": [1, {"c": "\"]"}]})") == 3);
  CHECK(knutpunkt::mapping::json_nesting_depth("") == 0);
}

TEST_CASE(
    "the question is a POST to the source's resource with bearer token, correlation id and the person in the body") {
  af::AfConfig config;
  config.endpoint = net::HttpUrl{"af.example", "8080", "/arbetssokande/v1"};
  config.token = "secret-token";
  knutpunkt::LookupQuery query;
  query.lookup_id = "lk-123";
  query.person_id = "191212121212";
  query.period_from = "2026-01-01";
  query.period_to = "2026-06-30";
  query.consent_reference = "SAM-2026-0042";
  const auto request = af::build_af_request(config, *af::source_with_code("AKTIVITETSRAPPORTER"), query);
  CHECK(request.method == "POST");
  CHECK(request.url.host == "af.example");
  CHECK(request.url.target == "/arbetssokande/v1/aktivitetsrapporter");
  CHECK(request.content_type == "application/json");
  const auto header = [&](const std::string& name) -> std::string {
    for (const auto& [key, value] : request.headers)
      if (key == name) return value;
    return "<absent>";
  };
  CHECK(header("Authorization") == "Bearer secret-token");
  CHECK(header("X-Korrelations-Id") == "lk-123");
  CHECK(header("X-Samtyckesreferens") == "SAM-2026-0042");
  query.consent_reference.clear();
  const auto without = af::build_af_request(config, *af::source_with_code("AKTIVITETSRAPPORTER"), query);
  CHECK(std::none_of(without.headers.begin(), without.headers.end(),
                     [](const auto& h) { return h.first == "X-Samtyckesreferens"; }));
  CHECK(nlohmann::json::parse(request.body) ==
        nlohmann::json::parse(R"({"personnummer":"191212121212","period":{"from":"2026-01-01","tom":"2026-06-30"}})"));
  // The person is never in the URL (proxies log URLs).
  CHECK(request.url.target.find("191212121212") == std::string::npos);
}

TEST_CASE("every source has its own resource") {
  CHECK(af::source_with_code("INSKRIVNING")->resource == "inskrivningsstatus");
  CHECK(af::source_with_code("HANDLINGSPLAN")->resource == "handlingsplan");
  CHECK(af::source_with_code("AKTIVITETSRAPPORTER")->resource == "aktivitetsrapporter");
  CHECK(af::source_with_code("BESLUT")->resource == "beslut");
  CHECK_FALSE(af::source_with_code("AF"));
}
