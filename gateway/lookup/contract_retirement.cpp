#include "lookup/contract_retirement.h"

#include "core/clock.h"
#include "core/prometheus_label.h"

namespace knutpunkt {

std::vector<ContractRetirement> contract_retirements(const AdapterContracts& contracts, std::chrono::sys_days today) {
  std::vector<ContractRetirement> out;
  for (const auto& [name, versions] : contracts) {
    for (const auto& contract : versions) {
      if (contract.retires_on.empty()) continue;
      const auto date = parse_utc(contract.retires_on);
      if (!date) continue;  // the mapping loader accepts only YYYY-MM-DD
      const auto days = std::chrono::floor<std::chrono::days>(*date) - today;
      out.push_back({name, contract, static_cast<long>(days.count())});
    }
  }
  return out;
}

std::vector<ContractRetirement> retiring_contracts(const AdapterContracts& contracts, std::chrono::sys_days today) {
  std::vector<ContractRetirement> out;
  for (auto& retirement : contract_retirements(contracts, today)) {
    if (retirement.days_left <= kRetirementWarningDays) out.push_back(std::move(retirement));
  }
  return out;
}

std::string describe(const ContractRetirement& r) {
  const std::string what = r.adapter + "/" + r.contract.source + " reads " + r.contract.name + " " + r.contract.version;
  if (r.days_left < 0) return what + ", which the partner retired on " + r.contract.retires_on;
  return what + ", which the partner retires on " + r.contract.retires_on + " (in " + std::to_string(r.days_left) +
         " days)";
}

std::string render_prometheus(const std::vector<ContractRetirement>& retirements) {
  std::string days =
      "# HELP knutpunkt_contract_retirement_days Days until the partner retires a document version an adapter reads.\n"
      "# TYPE knutpunkt_contract_retirement_days gauge\n";
  std::string retiring =
      "# HELP knutpunkt_contract_retiring 1 when a document version an adapter reads retires within " +
      std::to_string(kRetirementWarningDays) + " days (or has retired).\n# TYPE knutpunkt_contract_retiring gauge\n";
  for (const auto& r : retirements) {
    const std::string labels = "{adapter=\"" + prometheus_label(r.adapter) + "\",source=\"" +
                               prometheus_label(r.contract.source) + "\",contract=\"" +
                               prometheus_label(r.contract.name) + "\",version=\"" +
                               prometheus_label(r.contract.version) + "\"}";
    days += "knutpunkt_contract_retirement_days" + labels + " " + std::to_string(r.days_left) + "\n";
    retiring +=
        "knutpunkt_contract_retiring" + labels + " " + (r.days_left <= kRetirementWarningDays ? "1" : "0") + "\n";
  }
  return days + retiring;
}

}  // namespace knutpunkt
