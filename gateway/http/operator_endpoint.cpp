#include "http/operator_endpoint.h"

#include <charconv>

#include "config/gateway_config.h"
#include "core/clock.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

namespace {

std::string iso_ms(std::int64_t ms) {
  if (ms == 0) return {};
  return format_utc(std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}});
}

nlohmann::json summary(const OutboxMessage& m) {
  nlohmann::json out = {{"message_id", m.id},
                        {"destination", m.destination},
                        {"type", m.type},
                        {"ordering_key", m.ordering_key},
                        {"client_id", m.client_id},
                        {"case_id", m.case_id},
                        {"status", std::string(to_string(m.status))},
                        {"attempts", m.attempts},
                        {"created_at", iso_ms(m.created_at_ms)},
                        {"last_error", m.last_error}};
  // Times that do not apply to the status are left out rather than sent empty.
  if (m.status == MessageStatus::pending && m.next_attempt_at_ms) out["next_attempt_at"] = iso_ms(m.next_attempt_at_ms);
  if (m.status == MessageStatus::delivered && m.delivered_at_ms) out["delivered_at"] = iso_ms(m.delivered_at_ms);
  if (m.status == MessageStatus::dead && m.dead_at_ms) out["dead_lettered_at"] = iso_ms(m.dead_at_ms);
  return out;
}

}  // namespace

void OperatorEndpoint::audited_answer(Exchange exchange, const std::string& kind, nlohmann::json body, Response answer) {
  body["operator"] = exchange.client().id;
  exchange.commit({kind, std::move(body), {}}, "the read could not be audited; try again",
                  [answer = std::move(answer)](const AuditReceipt&) { return answer; });
}

void OperatorEndpoint::message(Exchange exchange) {
  const std::string& id = exchange.param("message_id");
  auto m = store_.message(id);
  if (!m) return exchange.store_unavailable();
  if (!*m) return exchange.reply(make_problem_response({404, "not_found", "No such message", {}, {}, {}}));
  auto attempts = store_.attempts(id);
  if (!attempts) return exchange.store_unavailable();
  nlohmann::json out = summary(**m);
  auto& list = out["attempt_history"] = nlohmann::json::array();
  for (const DeliveryAttempt& a : *attempts) {
    list.push_back({{"attempt", a.number},
                    {"started_at", iso_ms(a.started_at_ms)},
                    {"endpoint", a.endpoint},
                    {"http_status", a.http_status},
                    {"latency_ms", a.latency_ms},
                    {"outcome", a.outcome},
                    {"error", a.error}});
  }
  if (auto waiting = engine_.waiting_for(id)) out["waiting_for"] = *waiting;
  audited_answer(exchange, "operator.message_read", {{"message_id", id}, {"case_id", (*m)->case_id}},
                 make_json_response(200, out));
}

void OperatorEndpoint::dead_letters(Exchange exchange) {
  auto params = query_parameters(to_std(exchange.request().target()));
  if (!params) {
    return exchange.reply(make_problem_response(
        {400, "invalid_query", "Invalid query string", {}, {{"", "bad_format", "is not a valid query string"}}, {}}));
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
    return exchange.reply(make_problem_response(
        {400, "invalid_query", "Invalid query", "one or more parameters are invalid", std::move(invalid), {}}));
  }
  auto list = store_.dead_letters(q);
  if (!list) return exchange.store_unavailable();
  nlohmann::json out = {{"dead_letters", nlohmann::json::array()},
                        {"next_cursor", std::to_string(list->empty() ? q.after_position : list->back().position)},
                        {"has_more", list->size() == static_cast<std::size_t>(q.limit)}};
  for (const OutboxMessage& m : *list) out["dead_letters"].push_back(summary(m));
  audited_answer(exchange, "operator.dead_letters_read", {{"results", list->size()}}, make_json_response(200, out));
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
        return exchange.reply(make_problem_response({404, "not_found", "No such message", {}, {}, {}}));
      case delivery::ReplayOutcome::unavailable:
        return exchange.store_unavailable();
    }
  });
}

}  // namespace knutpunkt::http
