#pragma once
// The Jobbtorg adapter's configuration (the "config" object of an adapter of kind "jobbtorg").
// Documented in schemas/config.schema.json; every error names its field.
#include <cstddef>
#include <expected>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/config_error.h"
#include "net/tls_profile.h"

namespace knutpunkt::jobbtorg {

struct JobbtorgConfig {
  std::string endpoint;            // base URL of Jobbtorg's API, e.g. http://host/api/v1
  std::string token;               // our bearer token at Jobbtorg
  std::filesystem::path mappings;  // anvisning.json (outbound) and <TYP>.json (reports)
  std::size_t max_report_bytes = 256 * 1024;
  std::optional<net::TlsSettings> tls;           // "tls", for an https endpoint
  std::shared_ptr<net::TlsProfile> tls_profile;  // loaded from `tls` when the adapter is built
};

std::expected<JobbtorgConfig, ConfigError> read_jobbtorg_config(const nlohmann::json& config,
                                                                const std::string& pointer,
                                                                const std::filesystem::path& base_dir);

}  // namespace knutpunkt::jobbtorg
