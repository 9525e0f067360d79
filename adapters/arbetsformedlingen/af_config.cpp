#include "af_config.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "af_sources.h"
#include "core/adapter_config_fields.h"

namespace knutpunkt::arbetsformedlingen {

namespace {

constexpr std::array<std::string_view, 8> kKnown = {"endpoint",          "token",           "token_env",
                                                    "mappings",          "source_timeout_ms", "source_timeouts_ms",
                                                    "max_reply_bytes",   "max_json_depth"};

std::expected<std::chrono::milliseconds, ConfigError> timeout_ms(const nlohmann::json& value, const std::string& field) {
  if (!value.is_number_integer() || value.get<long long>() <= 0 || value.get<long long>() > 600000) {
    return std::unexpected(ConfigError{field, "must be an integer number of milliseconds between 1 and 600000"});
  }
  return std::chrono::milliseconds{value.get<long long>()};
}

}  // namespace

std::expected<AfConfig, ConfigError> parse_af_config(const nlohmann::json& config, const std::string& pointer,
                                                     const std::filesystem::path& base_dir) {
  const auto fail = [&](const std::string& key, std::string message) {
    return std::unexpected(ConfigError{pointer + (key.empty() ? "" : "/" + key), std::move(message)});
  };
  if (!config.is_object()) return fail("", "must be an object");
  for (const auto& [key, _] : config.items()) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      return fail(key, "is not a known setting of the arbetsformedlingen adapter");
    }
  }
  for (const char* key : {"endpoint", "mappings"}) {
    auto it = config.find(key);
    if (it != config.end() && (!it->is_string() || it->get_ref<const std::string&>().empty())) {
      return fail(key, "must be a non-empty string");
    }
  }
  const auto text = [&](const char* key) -> std::string {
    auto it = config.find(key);
    return it != config.end() ? it->get<std::string>() : std::string();
  };

  AfConfig out;
  std::string endpoint = text("endpoint");
  if (endpoint.empty()) return fail("endpoint", "is required (the base URL of AF's API)");
  auto url = net::parse_http_url(endpoint);
  if (!url) return fail("endpoint", url.error());
  while (url->target.size() > 1 && url->target.ends_with('/')) url->target.pop_back();
  if (url->target == "/") url->target.clear();  // resources are appended as "/<resource>"
  if (url->target.find_first_of("?#") != std::string::npos) {
    return fail("endpoint", "must be a base URL without query or fragment");
  }
  out.endpoint = *url;

  auto token = adapter_config::read_token(config, pointer);
  if (!token) return std::unexpected(token.error());
  out.token = std::move(*token);
  if (out.token.empty()) return fail("token", "a token (or token_env) is required");

  const std::string mappings = text("mappings");
  if (mappings.empty()) return fail("mappings", "is required (the folder of the AF mappings)");
  out.mappings = std::filesystem::path(mappings).is_absolute() ? std::filesystem::path(mappings) : base_dir / mappings;

  if (auto it = config.find("source_timeout_ms"); it != config.end()) {
    auto ms = timeout_ms(*it, pointer + "/source_timeout_ms");
    if (!ms) return std::unexpected(ms.error());
    out.source_timeout = *ms;
  }
  if (auto it = config.find("source_timeouts_ms"); it != config.end()) {
    if (!it->is_object()) return fail("source_timeouts_ms", "must be an object of source code to milliseconds");
    for (const auto& [source, value] : it->items()) {
      const std::string field = pointer + "/source_timeouts_ms/" + source;
      if (!source_with_code(source)) {
        return std::unexpected(
            ConfigError{field, "is not an AF source (INSKRIVNING, HANDLINGSPLAN, AKTIVITETSRAPPORTER, BESLUT)"});
      }
      auto ms = timeout_ms(value, field);
      if (!ms) return std::unexpected(ms.error());
      out.source_timeouts[source] = *ms;
    }
  }
  if (auto it = config.find("max_reply_bytes"); it != config.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 1024 || it->get<long long>() > 64LL * 1024 * 1024) {
      return fail("max_reply_bytes", "must be an integer between 1024 and 67108864");
    }
    out.max_reply_bytes = it->get<std::size_t>();
  }
  if (auto it = config.find("max_json_depth"); it != config.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 4 || it->get<long long>() > 256) {
      return fail("max_json_depth", "must be an integer between 4 and 256");
    }
    out.max_json_depth = it->get<std::size_t>();
  }
  return out;
}

}  // namespace knutpunkt::arbetsformedlingen
