#include "ssbtek_adapter.h"

#include <algorithm>

#include "log/log.h"
#include "soap_request.h"
#include "ssbtek_sources.h"

namespace knutpunkt::ssbtek {

SsbtekAdapter::SsbtekAdapter(SsbtekConfig config, net::HttpClient& http, ReplyReader reader)
    : config_(std::move(config)), http_(http), reader_(std::move(reader)) {
  for (std::string_view code : kSources) {
    if (reader_.mappings().contains(std::string(code))) sources_.emplace_back(code);
  }
}

std::chrono::milliseconds SsbtekAdapter::source_timeout(const std::string& source) const {
  auto it = config_.source_timeouts.find(source);
  return it == config_.source_timeouts.end() ? config_.source_timeout : it->second;
}

net::HttpRequest SsbtekAdapter::soap_request(std::string body) const {
  net::HttpRequest request;
  request.url = config_.endpoint;
  request.tls = config_.tls_profile;
  request.content_type = "text/xml; charset=utf-8";
  request.headers.emplace_back("SOAPAction", "\"\"");
  request.body = std::move(body);
  return request;
}

void SsbtekAdapter::ask(const LookupQuery& query, std::vector<std::string> sources, Deadline deadline,
                        std::function<void(std::vector<SourceOutcome>)> done) {
  net::HttpRequest request = soap_request(build_fetch_request(query, sources, config_));
  // A question changes nothing at SSBTEK or its sources, so asking it again on a fresh connection
  // is safe when a kept-alive one turns out to be closed.
  request.safe_to_repeat = true;
  const auto started = std::chrono::steady_clock::now();
  http_.send(std::move(request), deadline,
             [this, sources = std::move(sources), started, lookup_id = query.lookup_id,
              done = std::move(done)](net::HttpResult result) {
               std::vector<SourceOutcome> outcomes = reader_.read(result, sources);
               const auto latency =
                   std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
               for (auto& outcome : outcomes) {
                 outcome.latency = latency;
                 if (outcome.status != SourceStatus::ok) {
                   log::warn("ssbtek.source_failed", {{"lookup_id", lookup_id},
                                                      {"source", outcome.source},
                                                      {"status", to_string(outcome.status)},
                                                      {"code", outcome.partner_code}});
                 } else if (!outcome.deviations.empty()) {
                   log::info(
                       "ssbtek.source_deviations",
                       {{"lookup_id", lookup_id}, {"source", outcome.source}, {"count", outcome.deviations.size()}});
                 }
               }
               done(std::move(outcomes));
             });
}

void SsbtekAdapter::fetch(const LookupQuery& query, const std::string& source, Deadline deadline,
                          std::function<void(SourceOutcome)> done) {
  ask(query, {source}, deadline,
      [done = std::move(done)](std::vector<SourceOutcome> outcomes) { done(std::move(outcomes.front())); });
}

void SsbtekAdapter::fetch_sources(const LookupQuery& query, const std::vector<SourceRequest>& requests,
                                  std::function<void(std::size_t, SourceOutcome)> done) {
  if (config_.exchange == Exchange::per_source || requests.size() <= 1) {
    LookupAdapter::fetch_sources(query, requests, std::move(done));
    return;
  }
  // SSBTEK answers a slow source with its own TIMEOUT error, so the one call may run as long as
  // the most patient source allows.
  std::vector<std::string> sources;
  Deadline deadline = requests.front().deadline;
  for (const auto& request : requests) {
    sources.push_back(request.source);
    deadline = std::max(deadline, request.deadline);
  }
  ask(query, std::move(sources), deadline, [done = std::move(done)](std::vector<SourceOutcome> outcomes) {
    for (std::size_t i = 0; i < outcomes.size(); ++i) done(i, std::move(outcomes[i]));
  });
}

void SsbtekAdapter::check_ready(Deadline deadline, std::function<void(Readiness)> done) {
  net::HttpRequest request = soap_request(build_test_request(config_));
  request.safe_to_repeat = true;
  http_.send(std::move(request), deadline, [this, done = std::move(done)](net::HttpResult result) {
    TestOutcome test = reader_.read_test(result);
    done(Readiness{test.ready, test.detail});
  });
}

std::vector<ContractVersion> SsbtekAdapter::contract_versions() const {
  std::vector<ContractVersion> out;
  for (const auto& [source, versions] : reader_.mappings()) {
    for (const auto& mapping : versions.versions()) {
      const auto& contract = mapping.contract();
      if (!contract.name.empty()) out.push_back({source, contract.name, contract.version, contract.retires_on});
    }
  }
  return out;
}

}  // namespace knutpunkt::ssbtek
