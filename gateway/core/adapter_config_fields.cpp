#include "core/adapter_config_fields.h"

#include <cstdlib>

namespace knutpunkt::adapter_config {

std::expected<std::string, ConfigError> read_token(const nlohmann::json& config, const std::string& pointer) {
  const auto fail = [&](const std::string& key, std::string message) {
    return std::unexpected(ConfigError{pointer + "/" + key, std::move(message)});
  };
  for (const char* key : {"token", "token_env"}) {
    auto it = config.find(key);
    if (it != config.end() && (!it->is_string() || it->get_ref<const std::string&>().empty())) {
      return fail(key, "must be a non-empty string");
    }
  }
  if (config.contains("token") && config.contains("token_env")) {
    return fail("token_env", "give either token or token_env, not both");
  }
  std::string token = config.value("token", "");
  if (const std::string env = config.value("token_env", ""); !env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value == nullptr || *value == '\0') return fail("token_env", "names an environment variable that is not set");
    token = value;
  }
  if (token.find_first_of("\r\n") != std::string::npos) return fail("token", "must not contain line breaks");
  return token;
}

std::expected<std::size_t, ConfigError> read_max_report_bytes(const nlohmann::json& config, const std::string& pointer,
                                                              std::size_t fallback) {
  auto it = config.find("max_report_bytes");
  if (it == config.end()) return fallback;
  if (!it->is_number_integer() || it->get<long long>() < 1024 || it->get<long long>() > 16 * 1024 * 1024) {
    return std::unexpected(ConfigError{pointer + "/max_report_bytes", "must be an integer between 1024 and 16777216"});
  }
  return it->get<std::size_t>();
}

}  // namespace knutpunkt::adapter_config
