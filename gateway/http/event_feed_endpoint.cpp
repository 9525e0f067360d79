#include "http/event_feed_endpoint.h"

#include <charconv>

#include "http/problem.h"
#include "http/request_fields.h"

namespace knutpunkt::http {

namespace {

std::optional<long long> parse_non_negative(const std::string& text) {
  long long n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n < 0) return std::nullopt;
  return n;
}

}  // namespace

void EventFeedEndpoint::handle(Exchange exchange) {
  auto params = query_parameters(to_std(exchange.request().target()));
  if (!params) {
    return exchange.refuse(
        {400, "invalid_query", "Invalid query string", {}, {{"", "bad_format", "is not a valid query string"}}, {}});
  }
  std::vector<InvalidParam> invalid;
  long long after = 0;
  long long limit = routing::kDefaultFeedLimit;
  for (const auto& [name, value] : *params) {
    if (name == "after") {
      auto n = parse_non_negative(value);
      if (!n)
        invalid.push_back({"after", "bad_cursor", "must be a cursor returned by an earlier page"});
      else
        after = *n;
    } else if (name == "limit") {
      auto n = parse_non_negative(value);
      if (!n || *n < 1 || *n > routing::kMaxFeedLimit)
        invalid.push_back({"limit", "out_of_range", "must be between 1 and 1000"});
      else
        limit = *n;
    } else {
      invalid.push_back({name, "unknown_parameter", "is not a known parameter"});
    }
  }
  if (!invalid.empty()) {
    return exchange.refuse(
        {400, "invalid_query", "Invalid query", "one or more parameters are invalid", std::move(invalid), {}});
  }
  auto page = feed_.page(exchange.client().id, after, static_cast<int>(limit));
  if (!page) return exchange.store_unavailable();
  if (!page->write) return exchange.reply(make_json_response(200, page->page));
  exchange.commit(std::move(*page->write), "the read could not be audited; try again",
                  [out = std::move(page->page)](const AuditReceipt&) { return make_json_response(200, out); });
}

}  // namespace knutpunkt::http
