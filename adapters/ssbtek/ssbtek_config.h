#pragma once
// The SSBTEK adapter's configuration (the "config" object of an adapter of kind "ssbtek").
// Documented in schemas/config.schema.json; every error names its field.
#include <chrono>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/config_error.h"
#include "net/http_client.h"

namespace knutpunkt::ssbtek {

// Ask every wanted source in one hamtaBastjanstInformation (SSBTEK asks them in parallel and
// answers each with data or an error), or each source in a call of its own, for a municipality
// that wants each source under its own deadline at the price of a call per source.
enum class Exchange { per_lookup, per_source };

struct SsbtekConfig {
  net::HttpUrl endpoint;
  std::string organisationsnummer;  // ingivare: the municipality (12 digits, SSBTEK's form)
  std::string organisation_name;    // ingivare namn, e.g. "Stockholms stad"
  std::string fk_aktorsid;          // the nämnd's LEFI actor id, required by FK
  std::filesystem::path schema;     // ssbtek-v10.xsd
  std::filesystem::path mappings;   // folder of <SOURCE>.json mappings
  std::chrono::milliseconds source_timeout{3000};
  std::map<std::string, std::chrono::milliseconds> source_timeouts;  // per-source overrides
  std::size_t max_reply_bytes = 4 * 1024 * 1024;
  Exchange exchange = Exchange::per_lookup;
  // The SSBTEK contract version this instance asks in; each municipality moves when it is ready.
  std::string contract_version = "10";
  std::optional<net::TlsSettings> tls;           // "tls", for an https endpoint
  std::shared_ptr<net::TlsProfile> tls_profile;  // loaded from `tls` when the adapter is built
};

// `pointer` is where this object sits in the whole config file, so errors name the real field.
std::expected<SsbtekConfig, ConfigError> read_ssbtek_config(const nlohmann::json& config, const std::string& pointer,
                                                            const std::filesystem::path& base_dir);

}  // namespace knutpunkt::ssbtek
