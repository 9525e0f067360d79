#pragma once
// The SSBTEK lookup adapter: one SOAP exchange per source, answers validated against our XSDs and
// mapped to case events by the declarative mappings in mappings/ssbtek/.
#include "core/adapter.h"
#include "mapping/mapping.h"
#include "net/http_client.h"
#include "ssbtek_config.h"
#include "xml/schema.h"

#include <map>
#include <string>
#include <vector>

namespace knutpunkt::ssbtek {

class SsbtekAdapter final : public LookupAdapter {
 public:
  SsbtekAdapter(SsbtekConfig config, net::HttpClient& http, xml::Schema schema, std::map<std::string, mapping::Mapping> mappings);

  const std::vector<std::string>& sources() const override { return sources_; }
  std::chrono::milliseconds source_timeout(const std::string& source) const override;
  void fetch(const LookupQuery& query, const std::string& source, Deadline deadline,
             std::function<void(SourceOutcome)> done) override;
  void check_ready(Deadline deadline, std::function<void(Readiness)> done) override;

 private:
  SourceOutcome to_outcome(const std::string& source, const net::HttpResult& result) const;

  SsbtekConfig config_;
  net::HttpClient& http_;
  xml::Schema schema_;
  std::map<std::string, mapping::Mapping> mappings_;  // by source code
  std::vector<std::string> sources_;
};

}  // namespace knutpunkt::ssbtek
