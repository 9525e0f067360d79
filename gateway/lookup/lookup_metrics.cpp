#include "lookup/lookup_metrics.h"

#include "core/prometheus_label.h"

namespace knutpunkt {
namespace {

void family(std::string& out, const char* name, const char* help, const char* third_label,
            const std::map<LookupMetrics::Key, std::uint64_t>& counters) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
  for (const auto& [key, count] : counters) {
    const auto& [adapter, source, third] = key;
    out += std::string(name) + "{adapter=\"" + prometheus_label(adapter) + "\",source=\"" + prometheus_label(source) +
           "\"," + third_label + "=\"" + prometheus_label(third) + "\"} " + std::to_string(count) + "\n";
  }
}

}  // namespace

void LookupMetrics::record(const std::string& adapter, const SourceOutcome& outcome) {
  std::lock_guard lock(mutex_);
  ++outcomes_[{adapter, outcome.source, std::string(to_string(outcome.status))}];
  for (const auto& deviation : outcome.deviations) {
    const auto kind = deviation.find("kind");
    const std::string k = kind != deviation.end() && kind->is_string() ? kind->get<std::string>() : "unclassified";
    ++deviations_[{adapter, outcome.source, k}];
  }
}

std::map<LookupMetrics::Key, std::uint64_t> LookupMetrics::deviations() const {
  std::lock_guard lock(mutex_);
  return deviations_;
}

std::string LookupMetrics::render_prometheus() const {
  std::lock_guard lock(mutex_);
  std::string out;
  family(out, "knutpunkt_lookup_outcomes_total",
         "Sources asked in lookups, by outcome (ok, unavailable, timeout, error).", "outcome", outcomes_);
  family(out, "knutpunkt_lookup_deviations_total",
         "Deviations in partners' answers (departures from the published contract, parts the partner could not "
         "deliver), by kind.",
         "kind", deviations_);
  return out;
}

}  // namespace knutpunkt
