#pragma once
// Counters of what lookups brought back, per adapter and source: outcomes by status, and
// deviations by kind (where a partner's reply departed from its published contract, or the
// partner said it could not deliver a part). Names and codes only, never personal data, so they
// can be scraped without a token.
#include "core/lookup_types.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace knutpunkt {

class LookupMetrics {
 public:
  void record(const std::string& adapter, const SourceOutcome& outcome);

  // Prometheus text format: knutpunkt_lookup_outcomes_total{adapter,source,outcome} (the
  // outcome is the source's SourceStatus) and knutpunkt_lookup_deviations_total{adapter,source,kind}.
  std::string render_prometheus() const;

  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, std::uint64_t> deviations() const;

 private:
  mutable std::mutex mutex_;
  std::map<Key, std::uint64_t> outcomes_;    // adapter, source, outcome
  std::map<Key, std::uint64_t> deviations_;  // adapter, source, kind
};

}  // namespace knutpunkt
