#include "fk_adapter.h"

#include "fk_exchange.h"
#include "log/log.h"

namespace knutpunkt::forsakringskassan {

FkAdapter::FkAdapter(FkConfig config, net::HttpClient& http, std::map<std::string, mapping::VersionedMapping> mappings)
    : config_(std::move(config)), http_(http), mappings_(std::move(mappings)) {
  for (const auto& code : kFkSources) {
    if (mappings_.contains(code)) sources_.push_back(code);
  }
}

std::chrono::milliseconds FkAdapter::source_timeout(const std::string& source) const {
  auto it = config_.source_timeouts.find(source);
  return it == config_.source_timeouts.end() ? config_.source_timeout : it->second;
}

void FkAdapter::fetch(const LookupQuery& query, const std::string& source, Deadline deadline,
                      std::function<void(SourceOutcome)> done) {
  auto mapping = mappings_.find(source);
  if (mapping == mappings_.end()) {
    SourceOutcome outcome;
    outcome.source = source;
    outcome.status = SourceStatus::error;
    outcome.partner_code = "unknown_source";
    outcome.partner_message = "the forsakringskassan adapter has no source " + source;
    done(std::move(outcome));
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  http_.send(build_request(query, source, config_), deadline,
             [this, source, started, &mapped = mapping->second, lookup_id = query.lookup_id,
              done = std::move(done)](net::HttpResult result) {
               SourceOutcome outcome = read_reply(source, result, mapped,
                                                  ReplyLimits{config_.max_reply_bytes, config_.max_json_depth});
               outcome.latency =
                   std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
               if (outcome.status != SourceStatus::ok) {
                 log::warn("forsakringskassan.source_failed", {{"lookup_id", lookup_id},
                                                               {"source", source},
                                                               {"status", to_string(outcome.status)},
                                                               {"code", outcome.partner_code}});
               } else if (!outcome.deviations.empty()) {
                 log::info("forsakringskassan.avvikelser",
                           {{"lookup_id", lookup_id}, {"source", source}, {"count", outcome.deviations.size()}});
               }
               done(std::move(outcome));
             });
}

void FkAdapter::check_ready(Deadline deadline, std::function<void(Readiness)> done) {
  http_.send(build_health_request(config_), deadline, [done = std::move(done)](net::HttpResult result) {
    if (!result) {
      done(Readiness{false, "Försäkringskassan unreachable: " + std::string(net::to_string(result.error().kind))});
    } else if (result->status == 200) {
      done(Readiness{true, "LEFI tillgangligaInformationstyper answered"});
    } else {
      done(Readiness{false, "LEFI tillgangligaInformationstyper answered HTTP " + std::to_string(result->status)});
    }
  });
}

}  // namespace knutpunkt::forsakringskassan
