#pragma once
// The narrow interface between the core and a partner. The core never names a partner:
// which adapters run, and against which endpoints, is configuration (see adapter_registry.h).
#include "core/lookup_types.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace knutpunkt {

using Deadline = std::chrono::steady_clock::time_point;

struct Readiness {
  bool ready = false;
  std::string detail;  // short, no personal data
};

// One source of a lookup, as the core asks for it.
struct SourceRequest {
  std::string source;
  Deadline deadline;
  std::string consent_reference;  // the consent covering this source, for consent-based partners
};

// A version of a partner's document an adapter reads, and the day the partner retires it (empty
// when none is announced): operators are warned before the partner stops answering in it.
struct ContractVersion {
  std::string source;
  std::string name;
  std::string version;
  std::string retires_on;  // YYYY-MM-DD
};

// A partner that answers lookups about one person for one period.
// fetch() must not block: it starts asynchronous work and calls `done` exactly once, from any
// thread, no later than shortly after `deadline` (reporting SourceStatus::timeout if it ran out).
class LookupAdapter {
 public:
  virtual ~LookupAdapter() = default;

  // Source codes this adapter can answer, e.g. {"AF", "FK"}; requests for others are refused at the edge.
  virtual const std::vector<std::string>& sources() const = 0;

  // How long one source may take when the caller does not say (from the adapter's config).
  virtual std::chrono::milliseconds source_timeout(const std::string& source) const = 0;

  virtual void fetch(const LookupQuery& query, const std::string& source, Deadline deadline,
                     std::function<void(SourceOutcome)> done) = 0;

  // Every wanted source of one lookup; `done(i, outcome)` exactly once per request, from any
  // thread. By default each source is fetched on its own; a partner that answers many sources in
  // one exchange overrides this to ask once.
  virtual void fetch_sources(const LookupQuery& query, const std::vector<SourceRequest>& requests,
                             std::function<void(std::size_t, SourceOutcome)> done) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      LookupQuery asked = query;
      asked.consent_reference = requests[i].consent_reference;
      fetch(asked, requests[i].source, requests[i].deadline, [done, i](SourceOutcome outcome) { done(i, std::move(outcome)); });
    }
  }

  virtual std::vector<ContractVersion> contract_versions() const { return {}; }

  // Readiness ping to the partner (e.g. a test operation); calls `done` exactly once.
  virtual void check_ready(Deadline deadline, std::function<void(Readiness)> done) = 0;
};

}  // namespace knutpunkt
