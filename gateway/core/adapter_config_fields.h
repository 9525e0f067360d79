#pragma once
// Settings every partner adapter's config shares, read one way: the bearer token knutpunkt
// presents to the partner, and the largest message a partner may send back. Each adapter still
// owns its config; these read one field group each and name the field on failure.
#include <cstddef>
#include <expected>
#include <nlohmann/json.hpp>
#include <string>

#include "core/adapter_registry.h"

namespace knutpunkt::adapter_config {

// "token" or "token_env" (never both): the token itself, or the name of an environment variable
// holding it, so config files need carry no credentials. A token may not hold line breaks (it
// goes into a header). Empty when neither is given; the adapter decides whether that is allowed.
std::expected<std::string, ConfigError> read_token(const nlohmann::json& config, const std::string& pointer);

// "max_report_bytes": 1 KiB to 16 MiB; `fallback` when absent.
std::expected<std::size_t, ConfigError> read_max_report_bytes(const nlohmann::json& config, const std::string& pointer,
                                                              std::size_t fallback);

}  // namespace knutpunkt::adapter_config
