#include "ssbtek_adapter.h"

#include "mapping/source_outcome.h"

#include "log/log.h"
#include "soap_reply.h"
#include "soap_request.h"
#include "ssbtek_sources.h"

namespace knutpunkt::ssbtek {

SsbtekAdapter::SsbtekAdapter(SsbtekConfig config, net::HttpClient& http, xml::Schema schema,
                             std::map<std::string, mapping::Mapping> mappings)
    : config_(std::move(config)), http_(http), schema_(std::move(schema)), mappings_(std::move(mappings)) {
  for (std::string_view code : kSources) {
    if (mappings_.contains(std::string(code))) sources_.emplace_back(code);
  }
}

std::chrono::milliseconds SsbtekAdapter::source_timeout(const std::string& source) const {
  auto it = config_.source_timeouts.find(source);
  return it == config_.source_timeouts.end() ? config_.source_timeout : it->second;
}

void SsbtekAdapter::fetch(const LookupQuery& query, const std::string& source, Deadline deadline,
                          std::function<void(SourceOutcome)> done) {
  net::HttpRequest request;
  request.url = config_.endpoint;
  request.content_type = "text/xml; charset=utf-8";
  request.headers.emplace_back("SOAPAction", "\"\"");
  request.body = build_fetch_request(query, source, config_);
  const auto started = std::chrono::steady_clock::now();
  http_.send(std::move(request), deadline,
             [this, source, started, lookup_id = query.lookup_id, done = std::move(done)](net::HttpResult result) {
               SourceOutcome outcome = to_outcome(source, result);
               outcome.latency = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
               if (outcome.status != SourceStatus::ok) {
                 log::warn("ssbtek.source_failed", {{"lookup_id", lookup_id},
                                                    {"source", source},
                                                    {"status", to_string(outcome.status)},
                                                    {"code", outcome.partner_code}});
               }
               done(std::move(outcome));
             });
}

SourceOutcome SsbtekAdapter::to_outcome(const std::string& source, const net::HttpResult& result) const {
  SourceOutcome outcome;
  outcome.source = source;
  auto reply = read_fetch_reply(result, source, schema_, config_.max_reply_bytes);
  if (!reply) {
    outcome.status = reply.error().status;
    outcome.partner_code = reply.error().code;
    outcome.partner_message = reply.error().message;
    return outcome;
  }
  return mapping::source_outcome(source, mappings_.at(source).apply(*reply));
}

void SsbtekAdapter::check_ready(Deadline deadline, std::function<void(Readiness)> done) {
  net::HttpRequest request;
  request.url = config_.endpoint;
  request.content_type = "text/xml; charset=utf-8";
  request.headers.emplace_back("SOAPAction", "\"\"");
  request.body = build_test_request();
  http_.send(std::move(request), deadline, [this, done = std::move(done)](net::HttpResult result) {
    TestOutcome test = read_test_reply(result, schema_);
    done(Readiness{test.ready, test.detail});
  });
}

}  // namespace knutpunkt::ssbtek
