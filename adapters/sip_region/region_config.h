#pragma once
// The SIP region adapter's configuration (the "config" object of an adapter of kind
// "sip_region"); every error names its field.
#include <cstddef>
#include <expected>
#include <nlohmann/json.hpp>
#include <string>

#include "core/config_error.h"

namespace knutpunkt::sip_region {

struct RegionConfig {
  std::string endpoint;  // base URL of the region's SIP API, e.g. http://host:port/api
  std::string token;     // our bearer token at the region; empty: no Authorization header
  std::size_t max_report_bytes = 64 * 1024;
};

std::expected<RegionConfig, ConfigError> read_region_config(const nlohmann::json& config, const std::string& pointer);

}  // namespace knutpunkt::sip_region
