#include "region_config.h"

#include <cstdlib>

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
  for (const char* key : {"endpoint", "token", "token_env"}) {
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
  if (config.contains("token") && config.contains("token_env")) {
    return fail("token_env", "give either token or token_env, not both");
  }
  out.token = text("token");
  // The token may come from the environment so config files carry no credentials.
  if (const std::string env = text("token_env"); !env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (!value || !*value) return fail("token_env", "names an environment variable that is not set");
    out.token = value;
  }
  if (auto it = config.find("max_report_bytes"); it != config.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 1024 || it->get<long long>() > 16 * 1024 * 1024) {
      return fail("max_report_bytes", "must be an integer between 1024 and 16777216");
    }
    out.max_report_bytes = it->get<std::size_t>();
  }
  return out;
}

}  // namespace knutpunkt::sip_region
