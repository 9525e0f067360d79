#pragma once
// The SIP region adapter's configuration (the "config" object of an adapter of kind
// "sip_region"); every error names its field.
#include <cstddef>
#include <expected>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/config_error.h"
#include "net/tls_profile.h"

namespace knutpunkt::sip_region {

struct RegionConfig {
  std::string endpoint;  // base URL of the region's SIP API, e.g. http://host:port/api
  std::string token;     // our bearer token at the region; empty: no Authorization header
  std::size_t max_report_bytes = 64 * 1024;
  std::optional<net::TlsSettings> tls;           // "tls", for an https endpoint
  std::shared_ptr<net::TlsProfile> tls_profile;  // loaded from `tls` when the adapter is built
};

// Relative paths (of "tls") resolve against `base_dir`, the config file's folder.
std::expected<RegionConfig, ConfigError> read_region_config(const nlohmann::json& config, const std::string& pointer,
                                                            const std::filesystem::path& base_dir = {});

}  // namespace knutpunkt::sip_region
