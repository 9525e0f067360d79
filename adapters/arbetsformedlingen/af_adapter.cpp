#include "af_adapter.h"

#include "log/log.h"

namespace knutpunkt::arbetsformedlingen {

net::HttpRequest build_af_request(const AfConfig& config, const AfSource& source, const LookupQuery& query) {
  net::HttpRequest request;
  // A question changes nothing at Arbetsförmedlingen: asking again on a fresh connection is safe.
  request.safe_to_repeat = true;
  request.method = "POST";
  request.url = config.endpoint;
  request.tls = config.tls_profile;
  request.url.target += "/" + std::string(source.resource);
  request.content_type = "application/json";
  request.headers.emplace_back("Authorization", "Bearer " + config.token);
  request.headers.emplace_back("Accept", "application/json");
  // Correlates our lookup with AF's logs; the lookup id carries no personal data.
  if (!query.lookup_id.empty()) request.headers.emplace_back("X-Korrelations-Id", query.lookup_id);
  // AF refuses a question without X-Samtyckesreferens (403 SAMTYCKE_SAKNAS): its own check. The
  // gateway checks the consent itself before any fetch.
  if (const std::string& consent = query.consent_reference; !consent.empty()) {
    request.headers.emplace_back("X-Samtyckesreferens", consent);
  }
  const nlohmann::json body{{"personnummer", query.person_id},
                            {"period", {{"from", query.period_from}, {"tom", query.period_to}}}};
  request.body = body.dump();
  return request;
}

AfAdapter::AfAdapter(AfConfig config, net::HttpClient& http, std::map<std::string, mapping::VersionedMapping> mappings)
    : config_(std::move(config)), http_(http), mappings_(std::move(mappings)) {
  for (const AfSource& source : kSources) {
    if (mappings_.contains(std::string(source.code))) sources_.emplace_back(source.code);
  }
}

std::chrono::milliseconds AfAdapter::source_timeout(const std::string& source) const {
  auto it = config_.source_timeouts.find(source);
  return it == config_.source_timeouts.end() ? config_.source_timeout : it->second;
}

void AfAdapter::fetch(const LookupQuery& query, const std::string& source, Deadline deadline,
                      std::function<void(SourceOutcome)> done) {
  const auto af_source = source_with_code(source);
  const auto mapping = mappings_.find(source);
  if (!af_source || mapping == mappings_.end()) {
    SourceOutcome outcome;
    outcome.source = source;
    outcome.status = SourceStatus::error;
    outcome.partner_code = "unknown_source";
    outcome.partner_message = "the arbetsformedlingen adapter has no source " + source;
    done(std::move(outcome));
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  http_.send(build_af_request(config_, *af_source, query), deadline,
             [source, started, lookup_id = query.lookup_id, &mapping = mapping->second,
              limits = ReplyLimits{config_.max_reply_bytes, config_.max_json_depth},
              done = std::move(done)](net::HttpResult result) {
               SourceOutcome outcome = read_af_reply(source, result, mapping, limits);
               outcome.latency =
                   std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
               if (outcome.status != SourceStatus::ok) {
                 log::warn("arbetsformedlingen.source_failed", {{"lookup_id", lookup_id},
                                                                {"source", source},
                                                                {"status", to_string(outcome.status)},
                                                                {"code", outcome.partner_code}});
               }
               done(std::move(outcome));
             });
}

void AfAdapter::check_ready(Deadline deadline, std::function<void(Readiness)> done) {
  net::HttpRequest request;
  request.safe_to_repeat = true;
  request.method = "GET";
  request.url = config_.endpoint;
  request.tls = config_.tls_profile;
  request.url.target += "/" + std::string(kHealthResource);
  request.headers.emplace_back("Authorization", "Bearer " + config_.token);
  request.headers.emplace_back("Accept", "application/json");
  http_.send(std::move(request), deadline, [done = std::move(done)](net::HttpResult result) {
    if (!result) {
      done(Readiness{false, "Arbetsförmedlingen: " + std::string(net::to_string(result.error().kind))});
    } else if (result->status != 200) {
      done(Readiness{false, "Arbetsförmedlingen: HTTP " + std::to_string(result->status)});
    } else {
      done(Readiness{true, "Arbetsförmedlingen: ok"});
    }
  });
}

}  // namespace knutpunkt::arbetsformedlingen
