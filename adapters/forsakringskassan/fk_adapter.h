#pragma once
// The Försäkringskassan lookup adapter: LEFI-shaped REST/JSON, one exchange per source
// (FORMANER: benefits, claims, decisions, payments, other information; PAGAENDE: pending
// applications), answers mapped to case events by mappings/forsakringskassan/<SOURCE>.json.
#include <map>
#include <string>
#include <vector>

#include "core/adapter.h"
#include "fk_config.h"
#include "mapping/versioned_mapping.h"
#include "net/http_client.h"

namespace knutpunkt::forsakringskassan {

class FkAdapter final : public LookupAdapter {
 public:
  FkAdapter(FkConfig config, net::HttpClient& http, std::map<std::string, mapping::VersionedMapping> mappings);

  const std::vector<std::string>& sources() const override { return sources_; }
  std::chrono::milliseconds source_timeout(const std::string& source) const override;
  void fetch(const LookupQuery& query, const std::string& source, Deadline deadline,
             std::function<void(SourceOutcome)> done) override;
  void check_ready(Deadline deadline, std::function<void(Readiness)> done) override;

 private:
  FkConfig config_;
  net::HttpClient& http_;
  std::map<std::string, mapping::VersionedMapping> mappings_;  // by source code
  std::vector<std::string> sources_;
};

}  // namespace knutpunkt::forsakringskassan
