#pragma once
// The SOAP 1.1 document/literal requests SSBTEK takes, in the configured contract version. One
// hamtaBastjanstInformation names every wanted source with inkludera="true" and the others false.
#include "core/lookup_types.h"
#include "ssbtek_config.h"

#include <string>
#include <vector>

namespace knutpunkt::ssbtek {

std::string build_fetch_request(const LookupQuery& query, const std::vector<std::string>& sources,
                                const SsbtekConfig& config);
std::string build_test_request(const SsbtekConfig& config);

}  // namespace knutpunkt::ssbtek
