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

// A partner that answers lookups about one person for one period, one source at a time.
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

  // Readiness ping to the partner (e.g. a test operation); calls `done` exactly once.
  virtual void check_ready(Deadline deadline, std::function<void(Readiness)> done) = 0;
};

}  // namespace knutpunkt
