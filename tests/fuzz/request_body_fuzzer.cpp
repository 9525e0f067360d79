// The JSON request bodies of the gateway's API, read the way the endpoints read them: the body as
// a JSON object (read_json_object), then every request reader that exists apart from its endpoint
// (lookups, referrals, återsökningar, SIP initiation and each SIP change) and the field readers the
// other endpoints (consents, cases) build their bodies from. The problem+json a refusal becomes
// must be UTF-8, since the refusal is audited.
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "http/atersokning_endpoint.h"
#include "http/lookup_request.h"
#include "http/problem.h"
#include "http/referral_request.h"
#include "http/request_fields.h"
#include "http/sip_endpoint.h"

namespace {

using namespace knutpunkt;
using namespace knutpunkt::http;

constexpr std::chrono::year_month_day kToday{std::chrono::year{2026}, std::chrono::May, std::chrono::day{14}};

void check(std::vector<InvalidParam> invalid) {
  fuzz::require_utf8(to_json(Problem{400, "invalid_request", "Invalid request", {}, std::move(invalid), {}}));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Request request{boost::beast::http::verb::post, "/v1/lookups/ssbtek", 11};
  request.set(boost::beast::http::field::content_type, "application/json; charset=utf-8");
  request.body().assign(reinterpret_cast<const char*>(data), size);
  const auto body = read_json_object(request, [](Problem problem) { fuzz::require_utf8(to_json(problem)); });
  if (!body) return 0;

  static const std::vector<std::string> sources = {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"};
  check(parse_lookup_request(*body, sources, kToday).invalid);
  check(parse_referral_request(*body, kToday).invalid);
  check(parse_atersokning_request(*body, kToday).invalid);
  check(parse_sip_initiation(*body, kToday).invalid);
  for (const char* action :
       {"participants", "removal", "replies", "meeting", "establishment", "revisions", "followups", "closure"}) {
    check(parse_sip_change(action, "p-1", *body).invalid);
  }

  std::vector<InvalidParam> invalid;
  (void)read_person_id(*body, "person_id", "person_id", kToday, invalid);
  (void)read_period(*body, invalid);
  (void)read_caseworker(*body, invalid);
  (void)read_code(*body, "status", "status", true, {"open", "closed"}, invalid);
  (void)read_date(*body, "expires_at", "expires_at", false, invalid);
  (void)read_integer(*body, "amount_ore", "amount_ore", false, 1, 100'000'000'000LL, invalid);
  (void)read_flag(*body, "protected_identity", false, invalid);
  if (const auto id = body->find("case_id"); id != body->end() && id->is_string()) {
    (void)valid_identifier(id->get<std::string>(), "case_id", invalid);
  }
  check(std::move(invalid));
  return 0;
}
