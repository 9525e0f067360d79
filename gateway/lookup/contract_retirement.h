#pragma once
// Partner document versions whose announced retirement is near. A partner stops answering in a
// retired version on its own date, so operators are warned early enough to move: in /readyz (as
// a warning, the gateway still works) and in /metrics.
#include "core/adapter.h"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace knutpunkt {

inline constexpr int kRetirementWarningDays = 60;

struct ContractRetirement {
  std::string adapter;
  ContractVersion contract;
  long days_left = 0;  // negative once the date has passed
};

// The contract versions each adapter reads, by adapter name (LookupService::contract_versions()).
using AdapterContracts = std::map<std::string, std::vector<ContractVersion>>;

// Every contract version with an announced date, whatever the distance from `today`.
std::vector<ContractRetirement> contract_retirements(const AdapterContracts& contracts, std::chrono::sys_days today);

// Those within kRetirementWarningDays of `today`, or past it.
std::vector<ContractRetirement> retiring_contracts(const AdapterContracts& contracts, std::chrono::sys_days today);

// A short operator message naming the adapter, source, document, version and date.
std::string describe(const ContractRetirement& retirement);

// knutpunkt_contract_retirement_days{adapter,source,contract,version} (days left) and
// knutpunkt_contract_retiring{...} (1 within the warning window).
std::string render_prometheus(const std::vector<ContractRetirement>& retirements);

}  // namespace knutpunkt
