#include "http/operator_endpoint.h"

#include <charconv>

#include "core/clock.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

Response answer_after_read(const delivery::OutboxReading& reading) { return make_json_response(200, reading.view); }

}  // namespace

void OperatorEndpoint::message(Exchange exchange) {
  auto reading = view_.message(exchange.param("message_id"), exchange.client().id);
  if (!reading) return exchange.store_unavailable();
  // Audited: asking for message ids one may not know is what a log check looks for.
  if (!*reading) return exchange.refuse({404, "not_found", "No such message", {}, {}, {}});
  exchange.commit(std::move((*reading)->write), "the read could not be audited; try again",
                  [answer = answer_after_read(**reading)](const AuditReceipt&) { return answer; });
}

void OperatorEndpoint::dead_letters(Exchange exchange) {
  auto params = query_parameters(to_std(exchange.request().target()));
  if (!params) {
    return exchange.refuse(
        {400, "invalid_query", "Invalid query string", {}, {{"", "bad_format", "is not a valid query string"}}, {}});
  }
  DeadLetterQuery q;
  std::vector<InvalidParam> invalid;
  for (const auto& [name, value] : *params) {
    long long n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    const bool number = !value.empty() && ec == std::errc{} && end == value.data() + value.size();
    if (name == "destination") {
      q.destination = value;
    } else if (name == "type") {
      q.type = value;
    } else if (name == "client") {
      q.client_id = value;
    } else if (name == "since" || name == "until") {
      auto at = parse_utc(value);
      if (!at) {
        invalid.push_back({name, "bad_time", "must be an RFC 3339 UTC time, e.g. 2026-11-24T08:00:00Z"});
      } else {
        (name == "since" ? q.dead_since_ms : q.dead_until_ms) =
            std::chrono::duration_cast<std::chrono::milliseconds>(at->time_since_epoch()).count();
      }
    } else if (name == "after") {
      if (!number || n < 0) invalid.push_back({"after", "bad_cursor", "must be a cursor returned by an earlier page"});
      else q.after_position = n;
    } else if (name == "limit") {
      if (!number || n < 1 || n > 1000) invalid.push_back({"limit", "out_of_range", "must be between 1 and 1000"});
      else q.limit = static_cast<int>(n);
    } else {
      invalid.push_back({name, "unknown_parameter", "is not a known parameter"});
    }
  }
  if (!invalid.empty()) {
    return exchange.refuse(
        {400, "invalid_query", "Invalid query", "one or more parameters are invalid", std::move(invalid), {}});
  }
  auto reading = view_.dead_letters(q, exchange.client().id);
  if (!reading) return exchange.store_unavailable();
  exchange.commit(std::move(reading->write), "the read could not be audited; try again",
                  [answer = answer_after_read(*reading)](const AuditReceipt&) { return answer; });
}

void OperatorEndpoint::replay(Exchange exchange) {
  const std::string id = exchange.param("message_id");
  engine_.replay(id, exchange.client().id, [exchange, id](delivery::ReplayResult result) mutable {
    switch (result.outcome) {
      case delivery::ReplayOutcome::replayed:
        log::info("delivery.replay_requested", {{"message_id", id}});
        return exchange.reply(make_json_response(202, {{"message_id", id}, {"status", "pending"}, {"replayed", true}}));
      case delivery::ReplayOutcome::not_dead:
        // Idempotent: replaying what is already pending or delivered changes nothing.
        return exchange.reply(make_json_response(200, {{"message_id", id}, {"status", result.status}, {"replayed", false}}));
      case delivery::ReplayOutcome::not_found:
        return exchange.refuse({404, "not_found", "No such message", {}, {}, {}});
      case delivery::ReplayOutcome::unavailable:
        return exchange.store_unavailable();
    }
  });
}

}  // namespace knutpunkt::http
