#pragma once
// The SSBTEK lookup adapter: by default one SOAP exchange per lookup naming every wanted source
// (SSBTEK asks them in parallel), or one per source when configured; answers read tolerantly by
// ReplyReader and mapped to case events by the declarative mappings in mappings/ssbtek/.
#include "core/adapter.h"
#include "net/http_client.h"
#include "reply_reader.h"
#include "ssbtek_config.h"

#include <string>
#include <vector>

namespace knutpunkt::ssbtek {

class SsbtekAdapter final : public LookupAdapter {
 public:
  SsbtekAdapter(SsbtekConfig config, net::HttpClient& http, ReplyReader reader);

  const std::vector<std::string>& sources() const override { return sources_; }
  std::chrono::milliseconds source_timeout(const std::string& source) const override;
  void fetch(const LookupQuery& query, const std::string& source, Deadline deadline,
             std::function<void(SourceOutcome)> done) override;
  void fetch_sources(const LookupQuery& query, const std::vector<SourceRequest>& requests,
                     std::function<void(std::size_t, SourceOutcome)> done) override;
  void check_ready(Deadline deadline, std::function<void(Readiness)> done) override;
  std::vector<ContractVersion> contract_versions() const override;

 private:
  // One hamtaBastjanstInformation for `sources`; `done` gets their outcomes in the same order.
  void ask(const LookupQuery& query, std::vector<std::string> sources, Deadline deadline,
           std::function<void(std::vector<SourceOutcome>)> done);
  net::HttpRequest soap_request(std::string body) const;

  SsbtekConfig config_;
  net::HttpClient& http_;
  ReplyReader reader_;
  std::vector<std::string> sources_;
};

}  // namespace knutpunkt::ssbtek
