#pragma once
// The Arbetsförmedlingen adapter's configuration (the "config" object of an adapter of kind
// "arbetsformedlingen"). Fields are listed in README.md; every error names its JSON pointer.
#include <chrono>
#include <cstddef>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/config_error.h"
#include "net/http_client.h"

namespace knutpunkt::arbetsformedlingen {

struct AfConfig {
  net::HttpUrl endpoint;           // base of AF's API, e.g. http://host/arbetssokande/v1 (target without a trailing /)
  std::string token;               // our bearer token at AF
  std::filesystem::path mappings;  // folder with <SOURCE>.json for every source in af_sources.h
  std::chrono::milliseconds source_timeout{3000};
  std::map<std::string, std::chrono::milliseconds> source_timeouts;  // per-source overrides
  std::size_t max_reply_bytes = 1024 * 1024;
  std::size_t max_json_depth = 32;
  std::optional<net::TlsSettings> tls;           // "tls", for an https endpoint
  std::shared_ptr<net::TlsProfile> tls_profile;  // loaded from `tls` when the adapter is built
};

// `pointer` is where this object sits in the whole config file, so errors name the real field.
std::expected<AfConfig, ConfigError> read_af_config(const nlohmann::json& config, const std::string& pointer,
                                                    const std::filesystem::path& base_dir);

}  // namespace knutpunkt::arbetsformedlingen
