#include "http/event_feed_endpoint.h"

#include <charconv>

#include "config/gateway_config.h"
#include "http/audited_refusal.h"
#include "http/problem.h"
#include "http/request_fields.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

std::optional<long long> parse_non_negative(const std::string& text) {
  long long n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n < 0) return std::nullopt;
  return n;
}

}  // namespace

void EventFeedEndpoint::handle(Request&& request, Reply reply) {
  nlohmann::json audit_context = nlohmann::json::object();
  const ClientConfig* client = auth_.authenticate(to_std(request[bhttp::field::authorization]));
  if (!client) {
    return refuse_audited(audit_, "event_feed.refused", {401, "unauthenticated", "Authentication required", {}, {}, {}},
                          audit_context, std::move(reply));
  }
  audit_context["client"] = client->id;
  if (!client->roles.contains(kRoleCaseSystem)) {
    return refuse_audited(audit_, "event_feed.refused",
                          {403, "role_not_allowed", "Not allowed", "only case systems have an event feed", {}, {}},
                          audit_context, std::move(reply));
  }
  auto params = query_parameters(to_std(request.target()));
  if (!params) {
    return refuse_audited(audit_, "event_feed.refused",
                          {400, "invalid_query", "Invalid query string", {}, {{"", "bad_format", "is not a valid query string"}}, {}},
                          audit_context, std::move(reply));
  }
  std::vector<InvalidParam> invalid;
  long long after = 0;
  long long limit = kDefaultFeedLimit;
  for (const auto& [name, value] : *params) {
    if (name == "after") {
      auto n = parse_non_negative(value);
      if (!n) invalid.push_back({"after", "bad_cursor", "must be a cursor returned by an earlier page"});
      else after = *n;
    } else if (name == "limit") {
      auto n = parse_non_negative(value);
      if (!n || *n < 1 || *n > kMaxFeedLimit) invalid.push_back({"limit", "out_of_range", "must be between 1 and 1000"});
      else limit = *n;
    } else {
      invalid.push_back({name, "unknown_parameter", "is not a known parameter"});
    }
  }
  if (!invalid.empty()) {
    return refuse_audited(audit_, "event_feed.refused",
                          {400, "invalid_query", "Invalid query", "one or more parameters are invalid", std::move(invalid), {}},
                          audit_context, std::move(reply));
  }
  auto events = store_.events_after(client->id, after, static_cast<int>(limit));
  if (!events) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));

  nlohmann::json out = {{"events", nlohmann::json::array()},
                        {"next_cursor", std::to_string(events->empty() ? after : events->back().seq)},
                        {"has_more", events->size() == static_cast<std::size_t>(limit)}};
  nlohmann::json ids = nlohmann::json::array();
  for (StoredEvent& e : *events) {
    ids.push_back(e.event_id);
    out["events"].push_back(std::move(e.envelope));
  }
  if (ids.empty()) return reply(make_json_response(200, out));
  // Events carry personal data: which client read which events is audited (empty polls are not).
  audit_.append("event_feed.read", {{"client", client->id}, {"after", after}, {"event_ids", ids}},
                [reply = std::move(reply), out = std::move(out)](std::expected<AuditReceipt, StoreError> receipt) {
                  if (!receipt) return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable", {}, {}, {}}));
                  reply(make_json_response(200, out));
                });
}

}  // namespace knutpunkt::http
