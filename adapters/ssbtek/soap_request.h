#pragma once
// The SOAP 1.1 document/literal requests SSBTEK takes. One hamtaBastjanstInformation per source
// (only that source with inkludera="true"), so each source runs under its own deadline and a slow
// source cannot hold up the others.
#include "core/lookup_types.h"
#include "ssbtek_config.h"

#include <string>

namespace knutpunkt::ssbtek {

std::string build_fetch_request(const LookupQuery& query, const std::string& source, const SsbtekConfig& config);
std::string build_test_request();

}  // namespace knutpunkt::ssbtek
