#include "http/manual_handling_endpoint.h"

#include <charconv>

#include "config/gateway_config.h"
#include "core/clock.h"
#include "http/audited_refusal.h"
#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace bhttp = boost::beast::http;

nlohmann::json to_json(const ManualItem& item) {
  nlohmann::json out = {{"manual_item_id", item.item_id}, {"kind", item.kind},
                        {"reference", item.reference},    {"client_id", item.client_id},
                        {"case_id", item.case_id},        {"destination", item.destination},
                        {"reason", item.reason},          {"created_at", item.created_at},
                        {"status", item.status}};
  if (item.status == "resolved") {
    out["resolved_at"] = item.resolved_at;
    out["resolved_by"] = item.resolved_by;
    out["note"] = item.note;
  }
  return out;
}

const ClientConfig* ManualHandlingEndpoint::require_operator(const Request& request, const std::string& refusal_kind,
                                                             nlohmann::json& context, Reply& reply) {
  const ClientConfig* client = auth_.authenticate(to_std(request[bhttp::field::authorization]));
  if (!client) {
    refuse_audited(audit_, refusal_kind, {401, "unauthenticated", "Authentication required", {}, {}, {}}, context,
                   std::move(reply));
    return nullptr;
  }
  context["client"] = client->id;
  if (!client->roles.contains(kRoleOperator)) {
    refuse_audited(audit_, refusal_kind, {403, "role_not_allowed", "Not allowed", "operator role required", {}, {}},
                   context, std::move(reply));
    return nullptr;
  }
  return client;
}

void ManualHandlingEndpoint::list(Request&& request, const RequestContext& context, Reply reply) {
  nlohmann::json audit_context = {{"remote_address", context.remote_address}};
  const ClientConfig* client = require_operator(request, "manual_handling.read_refused", audit_context, reply);
  if (!client) return;
  auto params = query_parameters(to_std(request.target()));
  if (!params) {
    return reply(make_problem_response(
        {400, "invalid_query", "Invalid query string", {}, {{"", "bad_format", "is not a valid query string"}}, {}}));
  }
  std::string status = "open";
  std::string after;
  int limit = 100;
  std::vector<InvalidParam> invalid;
  for (const auto& [name, value] : *params) {
    if (name == "status") {
      if (value != "open" && value != "resolved" && value != "all") {
        invalid.push_back({"status", "bad_code", "must be open, resolved or all"});
      }
      status = value;
    } else if (name == "after") {
      after = value;
    } else if (name == "limit") {
      long long n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || n < 1 || n > 1000) {
        invalid.push_back({"limit", "out_of_range", "must be between 1 and 1000"});
      } else {
        limit = static_cast<int>(n);
      }
    } else {
      invalid.push_back({name, "unknown_parameter", "is not a known parameter"});
    }
  }
  std::string after_created_at;
  if (invalid.empty() && !after.empty()) {
    auto cursor = store_.manual_item(after);
    if (!cursor) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
    if (!*cursor) invalid.push_back({"after", "bad_cursor", "must be an item id from an earlier page"});
    else after_created_at = (*cursor)->created_at;
  }
  if (!invalid.empty()) {
    return reply(make_problem_response({400, "invalid_query", "Invalid query", "one or more parameters are invalid",
                                        std::move(invalid), {}}));
  }
  auto items = store_.manual_items(status == "all" ? "" : status, after_created_at, after, limit);
  if (!items) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
  nlohmann::json out = {{"items", nlohmann::json::array()}};
  for (const ManualItem& item : *items) out["items"].push_back(to_json(item));
  if (static_cast<int>(items->size()) == limit) out["next_cursor"] = items->back().item_id;
  audit_.append("manual_handling.read",
                {{"client", client->id}, {"status", status}, {"items", items->size()}, {"remote_address", context.remote_address}},
                [reply = std::move(reply), out = std::move(out)](std::expected<AuditReceipt, StoreError> receipt) {
                  if (!receipt) return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable", {}, {}, {}}));
                  reply(make_json_response(200, out));
                });
}

void ManualHandlingEndpoint::resolve(const std::string& item_id, Request&& request, const RequestContext& context,
                                     Reply reply) {
  nlohmann::json audit_context = {{"remote_address", context.remote_address}, {"manual_item_id", item_id}};
  const ClientConfig* client = require_operator(request, "manual_handling.resolve_refused", audit_context, reply);
  if (!client) return;
  const auto refuse = [&](Problem p) {
    refuse_audited(audit_, "manual_handling.resolve_refused", std::move(p), audit_context, std::move(reply));
  };
  const auto parsed = read_json_object(request, refuse);
  if (!parsed) return;
  const nlohmann::json& body = *parsed;
  std::vector<InvalidParam> invalid;
  refuse_unknown_fields(body, "", {"note"}, invalid);
  // How it was handled is the point of the record: a resolution without a note is refused.
  const std::string note = read_text(body, "note", "note", true, invalid, 1000);
  if (!invalid.empty()) {
    return refuse({400, "invalid_request", "Invalid resolution", "one or more fields are invalid", std::move(invalid), {}});
  }
  auto item = store_.manual_item(item_id);
  if (!item) return reply(make_problem_response({503, "store_unavailable", "Store unavailable", {}, {}, {}}));
  if (!*item) return refuse({404, "not_found", "No such item", {}, {}, {}});
  if ((*item)->status == "resolved") return reply(make_json_response(200, to_json(**item)));

  ManualItem resolved = **item;
  resolved.status = "resolved";
  resolved.resolved_at = now_utc();
  resolved.resolved_by = client->id;
  resolved.note = note;
  nlohmann::json record = to_json(resolved);
  record["remote_address"] = context.remote_address;
  audit_.append("manual_handling.resolved", std::move(record),
                {store_write::ResolveManualItem{resolved.item_id, resolved.resolved_at, resolved.resolved_by, note}},
                [reply = std::move(reply), resolved](std::expected<AuditReceipt, StoreError> receipt) {
                  if (!receipt) return reply(make_problem_response({503, "audit_unavailable", "Audit log unavailable", {}, {}, {}}));
                  log::info("manual_handling.resolved", {{"manual_item_id", resolved.item_id}, {"audit_seq", receipt->seq}});
                  reply(make_json_response(200, to_json(resolved)));
                });
}

}  // namespace knutpunkt::http
