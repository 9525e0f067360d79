#include "http/manual_handling_endpoint.h"

#include <charconv>

#include "http/problem.h"
#include "http/request_fields.h"
#include "log/log.h"

namespace knutpunkt::http {

namespace {

std::optional<ManualPageQuery> read_query(const std::map<std::string, std::string>& params,
                                          std::vector<InvalidParam>& invalid) {
  ManualPageQuery q;
  for (const auto& [name, value] : params) {
    if (name == "status") {
      if (value != "open" && value != "resolved" && value != "all") {
        invalid.push_back({"status", "bad_code", "must be open, resolved or all"});
      }
      q.status = value;
    } else if (name == "after") {
      q.after = value;
    } else if (name == "limit") {
      long long n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || n < 1 || n > 1000) {
        invalid.push_back({"limit", "out_of_range", "must be between 1 and 1000"});
      } else {
        q.limit = static_cast<int>(n);
      }
    } else {
      invalid.push_back({name, "unknown_parameter", "is not a known parameter"});
    }
  }
  if (!invalid.empty()) return std::nullopt;
  return q;
}

Problem invalid_query(std::vector<InvalidParam> invalid) {
  return {400, "invalid_query", "Invalid query", "one or more parameters are invalid", std::move(invalid), {}};
}

}  // namespace

void ManualHandlingEndpoint::list(Exchange exchange) {
  auto params = query_parameters(to_std(exchange.request().target()));
  if (!params) {
    return exchange.refuse(
        {400, "invalid_query", "Invalid query string", {}, {{"", "bad_format", "is not a valid query string"}}, {}});
  }
  std::vector<InvalidParam> invalid;
  auto query = read_query(*params, invalid);
  if (!query) return exchange.refuse(invalid_query(std::move(invalid)));
  auto page = queue_.page(exchange.client().id, *query);
  if (!page) return exchange.store_unavailable();
  if (std::holds_alternative<UnknownCursor>(*page)) {
    return exchange.refuse(invalid_query({{"after", "bad_cursor", "must be an item id from an earlier page"}}));
  }
  auto& found = std::get<ManualPage>(*page);
  found.write.record["remote_address"] = exchange.remote_address();
  exchange.commit(std::move(found.write), "the read could not be audited; try again",
                  [out = std::move(found.page)](const AuditReceipt&) { return make_json_response(200, out); });
}

void ManualHandlingEndpoint::resolve(Exchange exchange) {
  const auto body = exchange.json_object();
  if (!body) return;
  std::vector<InvalidParam> invalid;
  refuse_unknown_fields(*body, "", {"note"}, invalid);
  // How it was handled is the point of the record: a resolution without a note is refused.
  const std::string note = read_text(*body, "note", "note", true, invalid, 1000);
  if (!invalid.empty()) {
    return exchange.refuse(
        {400, "invalid_request", "Invalid resolution", "one or more fields are invalid", std::move(invalid), {}});
  }
  auto plan = queue_.prepare_resolution(exchange.param("manual_item_id"), exchange.client().id, note,
                                        std::chrono::system_clock::now());
  if (!plan) return exchange.store_unavailable();
  if (std::holds_alternative<NoSuchItem>(*plan)) return exchange.refuse({404, "not_found", "No such item", {}, {}, {}});
  if (auto* done = std::get_if<AlreadyResolved>(&*plan))
    return exchange.reply(make_json_response(200, to_json(done->item)));
  auto& resolution = std::get<Resolution>(*plan);
  resolution.write.record["remote_address"] = exchange.remote_address();
  exchange.commit(
      std::move(resolution.write), "the resolution was not recorded; send it again",
      [item = std::move(resolution.item)](const AuditReceipt& receipt) {
        log::info("manual_handling.resolved", {{"manual_item_id", item.item_id}, {"audit_seq", receipt.seq}});
        return make_json_response(200, to_json(item));
      });
}

}  // namespace knutpunkt::http
