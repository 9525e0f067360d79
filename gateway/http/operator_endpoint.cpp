#include "http/operator_endpoint.h"

#include <charconv>

#include "config/gateway_config.h"
#include "core/clock.h"
#include "http/audited_refusal.h"
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

const ClientConfig* OperatorEndpoint::authorise(const Request& request, Reply& reply) {
  const ClientConfig* client = auth_.authenticate(to_std(request[bhttp::field::authorization]));
  nlohmann::json context = {{"target", std::string(to_std(request.target()).substr(0, 200))}};
  if (!client) {
    refuse_audited(audit_, "operator.access_refused", {401, "unauthenticated", "Authentication required", {}, {}, {}},
                   context, std::move(reply));
    return nullptr;
  }
  if (!client->roles.contains(kRoleOperator)) {
    context["client"] = client->id;
    refuse_audited(audit_, "operator.access_refused",
                   {403, "role_not_allowed", "Not allowed", "operator role required", {}, {}}, context, std::move(reply));
    return nullptr;
  }
  return client;
}

void OperatorEndpoint::audited_answer(const ClientConfig& who, const std::string& kind, nlohmann::json body,
                                      Response answer, Reply reply) {
  body["operator"] = who.id;
  audit_.append(kind, std::move(body),
                [reply = std::move(reply), answer = std::move(answer)](std::expected<AuditReceipt, StoreError> receipt) mutable {
                  if (!receipt) return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable", {}, {}, {}}));
                  reply(std::move(answer));
                });
}

void OperatorEndpoint::message(const std::string& id, Request&& request, Reply reply) {
  const ClientConfig* who = authorise(request, reply);
  if (!who) return;
  auto m = store_.message(id);
  if (!m) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
  if (!*m) return reply(make_problem_response({404, "not_found", "No such message", {}, {}, {}}));
  auto attempts = store_.attempts(id);
  if (!attempts) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
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
  audited_answer(*who, "operator.message_read", {{"message_id", id}, {"case_id", (*m)->case_id}},
                 make_json_response(200, out), std::move(reply));
}

void OperatorEndpoint::dead_letters(Request&& request, Reply reply) {
  const ClientConfig* who = authorise(request, reply);
  if (!who) return;
  auto params = query_parameters(to_std(request.target()));
  if (!params) {
    return reply(make_problem_response(
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
    return reply(make_problem_response({400, "invalid_query", "Invalid query", "one or more parameters are invalid", std::move(invalid), {}}));
  }
  auto list = store_.dead_letters(q);
  if (!list) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
  nlohmann::json out = {{"dead_letters", nlohmann::json::array()},
                        {"next_cursor", std::to_string(list->empty() ? q.after_position : list->back().position)},
                        {"has_more", list->size() == static_cast<std::size_t>(q.limit)}};
  for (const OutboxMessage& m : *list) out["dead_letters"].push_back(summary(m));
  audited_answer(*who, "operator.dead_letters_read", {{"results", list->size()}}, make_json_response(200, out),
                 std::move(reply));
}

void OperatorEndpoint::replay(const std::string& id, Request&& request, Reply reply) {
  const ClientConfig* client = authorise(request, reply);
  if (!client) return;
  engine_.replay(id, client->id, [reply = std::move(reply), id](delivery::ReplayResult result) {
    switch (result.outcome) {
      case delivery::ReplayOutcome::replayed:
        log::info("delivery.replay_requested", {{"message_id", id}});
        return reply(make_json_response(202, {{"message_id", id}, {"status", "pending"}, {"replayed", true}}));
      case delivery::ReplayOutcome::not_dead:
        // Idempotent: replaying what is already pending or delivered changes nothing.
        return reply(make_json_response(200, {{"message_id", id}, {"status", result.status}, {"replayed", false}}));
      case delivery::ReplayOutcome::not_found:
        return reply(make_problem_response({404, "not_found", "No such message", {}, {}, {}}));
      case delivery::ReplayOutcome::unavailable:
        return reply(make_problem_response({503, "store_unavailable", "Store unavailable", "try again", {}, {}}));
    }
  });
}

}  // namespace knutpunkt::http
