#include "delivery/webhook_adapter.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "core/digest.h"

using namespace knutpunkt;
using namespace knutpunkt::delivery;

namespace {

// HMAC-SHA256 computed here with OpenSSL's one-shot HMAC(), independently of core/digest.
std::string openssl_hmac_hex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
               reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length) != nullptr);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", mac[i]);
    hex += byte;
  }
  return hex;
}

std::string header(const OutboundRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace

TEST_CASE("hmac_sha256_hex matches RFC 4231 test cases 1 and 2") {
  CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("the webhook signature is t=<seconds>,v1=HMAC-SHA256(secret, \"<t>.\" + body)") {
  const std::string secret = "a-webhook-secret-of-some-length";
  const std::string body = R"({"event_id":"e-1","type":"referral.sent"})";
  const std::int64_t t = 1767225600;
  const std::string expected = "t=1767225600,v1=" + openssl_hmac_hex(secret, "1767225600." + body);
  CHECK(webhook_signature(secret, t, body) == expected);
  // Each input matters.
  CHECK(webhook_signature(secret, t + 1, body) != expected);
  CHECK(webhook_signature(secret + "x", t, body) != expected);
  CHECK(webhook_signature(secret, t, body + " ") != expected);
}

TEST_CASE("the webhook adapter posts the event envelope as body, signed with the clock's time") {
  const std::string secret = "0123456789abcdef-secret";
  std::int64_t now = 1700000000;
  WebhookAdapter adapter("http://127.0.0.1:9/hook", secret, [&] { return now; });
  CHECK(adapter.endpoint() == "http://127.0.0.1:9/hook");

  const nlohmann::json payload = {{"event_id", "5f0c7f7e-1111-4222-8333-944444444444"},
                                  {"type", "referral.sent"},
                                  {"case_id", "EB-1"},
                                  {"facts", {{"note", "åäö"}}}};
  const std::string id = "msg-1", type = "referral.sent";
  auto rendered = adapter.render(OutboundMessage{id, type, payload});
  REQUIRE(rendered.has_value());
  CHECK(rendered->method == "POST");
  CHECK(rendered->path.empty());
  CHECK(rendered->content_type == "application/json");
  CHECK(nlohmann::json::parse(rendered->body) == payload);
  CHECK(header(*rendered, "Knutpunkt-Signature") ==
        "t=1700000000,v1=" + openssl_hmac_hex(secret, "1700000000." + rendered->body));
  CHECK(header(*rendered, "Knutpunkt-Event-Id") == "5f0c7f7e-1111-4222-8333-944444444444");
  CHECK(header(*rendered, "Knutpunkt-Event-Type") == "referral.sent");

  // Signed afresh at each attempt: a later render carries the later time.
  now += 3600;
  auto again = adapter.render(OutboundMessage{id, type, payload});
  REQUIRE(again.has_value());
  CHECK(header(*again, "Knutpunkt-Signature") ==
        "t=1700003600,v1=" + openssl_hmac_hex(secret, "1700003600." + again->body));
}

TEST_CASE("the webhook adapter refuses a payload that is not a case event") {
  WebhookAdapter adapter("http://127.0.0.1:9/hook", "0123456789abcdef-secret", [] { return std::int64_t{1}; });
  const std::string id = "m", type = "referral.requested";
  const nlohmann::json not_event = {{"referral_id", "R-1"}};
  auto r = adapter.render(OutboundMessage{id, type, not_event});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == "unsupported_type");
  const nlohmann::json array = nlohmann::json::array({1, 2});
  CHECK_FALSE(adapter.render(OutboundMessage{id, type, array}).has_value());
}
