#pragma once
// The Arbetsförmedlingen lookup adapter: one consent-based REST/JSON exchange per source
// (af_sources.h), each answer mapped to case events by mappings/arbetsformedlingen/<SOURCE>.json
// (or <SOURCE>.<version>.json while AF answers in two versions of a document).
// Wire protocol: README.md in this folder.
#include <map>
#include <string>
#include <vector>

#include "af_config.h"
#include "af_reply.h"
#include "af_sources.h"
#include "core/adapter.h"
#include "mapping/versioned_mapping.h"
#include "net/http_client.h"

namespace knutpunkt::arbetsformedlingen {

// POST {endpoint}/{resource} with the question as JSON. The person travels in the body, not the
// URL, so personnummer never reach access logs of proxies on the way.
net::HttpRequest build_af_request(const AfConfig& config, const AfSource& source, const LookupQuery& query);

class AfAdapter final : public LookupAdapter {
 public:
  AfAdapter(AfConfig config, net::HttpClient& http, std::map<std::string, mapping::VersionedMapping> mappings);

  const std::vector<std::string>& sources() const override { return sources_; }
  std::chrono::milliseconds source_timeout(const std::string& source) const override;
  void fetch(const LookupQuery& query, const std::string& source, Deadline deadline,
             std::function<void(SourceOutcome)> done) override;
  void check_ready(Deadline deadline, std::function<void(Readiness)> done) override;

 private:
  AfConfig config_;
  net::HttpClient& http_;
  std::map<std::string, mapping::VersionedMapping> mappings_;  // by source code
  std::vector<std::string> sources_;
};

}  // namespace knutpunkt::arbetsformedlingen
