#include "region_config.h"

#include "core/adapter_config_fields.h"
#include "net/http_client.h"

namespace knutpunkt::sip_region {

std::expected<RegionConfig, ConfigError> parse_region_config(const nlohmann::json& config, const std::string& pointer) {
  const auto fail = [&](const std::string& key, std::string message) {
    return std::unexpected(ConfigError{pointer + (key.empty() ? "" : "/" + key), std::move(message)});
  };
  if (!config.is_object()) return fail("", "must be an object");
  for (const auto& [key, _] : config.items()) {
    if (key != "endpoint" && key != "token" && key != "token_env" && key != "max_report_bytes") {
      return fail(key, "unknown field");
    }
  }
  for (const char* key : {"endpoint"}) {
    auto it = config.find(key);
    if (it != config.end() && (!it->is_string() || it->get_ref<const std::string&>().empty())) {
      return fail(key, "must be a non-empty string");
    }
  }
  const auto text = [&](const char* key) -> std::string {
    auto it = config.find(key);
    return it != config.end() ? it->get<std::string>() : std::string();
  };
  RegionConfig out;
  out.endpoint = text("endpoint");
  if (out.endpoint.empty()) return fail("endpoint", "is required (a string)");
  while (out.endpoint.ends_with('/')) out.endpoint.pop_back();
  if (!net::parse_http_url(out.endpoint)) return fail("endpoint", "must be an http:// URL");
  // Optional: a region's system on a closed network may take no token.
  auto token = adapter_config::read_token(config, pointer);
  if (!token) return std::unexpected(token.error());
  out.token = std::move(*token);
  auto max_report_bytes = adapter_config::read_max_report_bytes(config, pointer, out.max_report_bytes);
  if (!max_report_bytes) return std::unexpected(max_report_bytes.error());
  out.max_report_bytes = *max_report_bytes;
  return out;
}

}  // namespace knutpunkt::sip_region
