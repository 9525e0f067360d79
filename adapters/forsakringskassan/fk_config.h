#pragma once
// The Försäkringskassan adapter's configuration (the "config" object of an adapter of kind
// "forsakringskassan"). Unknown fields are refused; every error names its JSON pointer.
#include <chrono>
#include <cstddef>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config_error.h"
#include "net/http_client.h"

namespace knutpunkt::forsakringskassan {

// What the FORMANER question asks LEFI for. LEFI refuses a question that names no group (400), and
// an actor sees only what its legal ground allows, so the lists are configuration, not code.
struct LefiInformation {
  std::vector<std::string> formansinformation;  // FK case groups (decisions, cases), e.g. "FK:BOB"
  std::vector<std::string> ansprak;             // PM claim groups, e.g. "PM:AP"
  std::vector<std::string> utbetalningar;       // effected payments, FK: or PM: groups
  std::vector<std::string> ovrig_information;   // other information; "FK:GEPI" carries `skyddad`
};

struct FkConfig {
  std::string endpoint;  // base URL, no trailing slash, e.g. http://127.0.0.1:18083
  net::HttpUrl url;      // the parsed endpoint (target = its path prefix)
  std::string aktorsid;  // the nämnd's LEFI actor id (aktorsId in the path)
  std::string token;     // bearer token at FK
  std::filesystem::path mappings;
  LefiInformation information;
  std::chrono::milliseconds source_timeout{5000};
  std::map<std::string, std::chrono::milliseconds> source_timeouts;  // FORMANER, PAGAENDE
  std::size_t max_reply_bytes = 4 * 1024 * 1024;
  std::size_t max_json_depth = 64;
  // A decision notification is a few hundred bytes; anything near this limit is not one.
  std::size_t max_notification_bytes = 64 * 1024;
  std::optional<net::TlsSettings> tls;           // "tls", for an https endpoint
  std::shared_ptr<net::TlsProfile> tls_profile;  // loaded from `tls` when the adapter is built
};

inline constexpr const char* kFormaner = "FORMANER";
inline constexpr const char* kPagaende = "PAGAENDE";
inline const std::vector<std::string> kFkSources = {kFormaner, kPagaende};
// The inbound mapping (decision notifications) and the outbound template (återsökning), by file stem.
inline constexpr const char* kBeslutsnotifiering = "BESLUTSNOTIFIERING";
inline constexpr const char* kAtersokningTemplate = "atersokning";

// `pointer` is where this object sits in the whole config file, so errors name the real field.
std::expected<FkConfig, ConfigError> read_fk_config(const nlohmann::json& config, const std::string& pointer,
                                                    const std::filesystem::path& base_dir);

}  // namespace knutpunkt::forsakringskassan
