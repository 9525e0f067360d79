#include "fk_config.h"
#include "core/adapter_config_fields.h"

#include <algorithm>
#include <regex>

namespace knutpunkt::forsakringskassan {

namespace {

using Fail = std::unexpected<ConfigError>;

std::filesystem::path resolve(const std::filesystem::path& base_dir, const std::string& path) {
  std::filesystem::path p(path);
  return p.is_absolute() ? p : base_dir / p;
}

std::expected<std::chrono::milliseconds, ConfigError> positive_ms(const nlohmann::json& value, const std::string& field) {
  if (!value.is_number_integer() || value.get<long long>() <= 0 || value.get<long long>() > 600000) {
    return Fail(ConfigError{field, "must be an integer number of milliseconds between 1 and 600000"});
  }
  return std::chrono::milliseconds{value.get<long long>()};
}

// LEFI group codes carry the issuing agency as prefix (LefiExternFormanGruppKod); `prefixes` is
// what the information class accepts: case information is FK's only, claims are PM's only.
std::expected<std::vector<std::string>, ConfigError> group_list(const nlohmann::json& value, const std::string& field,
                                                                const std::string& prefixes) {
  if (!value.is_array()) return Fail(ConfigError{field, "must be an array of LEFI group codes"});
  const std::regex form("(" + prefixes + "):[A-Z]{2,4}");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string item_field = field + "/" + std::to_string(i);
    if (!value[i].is_string() || !std::regex_match(value[i].get<std::string>(), form)) {
      return Fail(ConfigError{item_field, "must be a LEFI code of the form " + prefixes + ":XX, e.g. " +
                                              prefixes.substr(0, 2) + ":" + (prefixes.starts_with("PM") ? "AP" : "BOB")});
    }
    const auto code = value[i].get<std::string>();
    if (std::find(out.begin(), out.end(), code) != out.end()) {
      return Fail(ConfigError{item_field, "is listed twice (LEFI requires unique items)"});
    }
    out.push_back(code);
  }
  return out;
}

std::expected<LefiInformation, ConfigError> parse_information(const nlohmann::json& value, const std::string& field) {
  // Defaults: what ekonomiskt bistånd commonly needs, and FK:GEPI for the protected-identity flag.
  LefiInformation out{.formansinformation = {"FK:ABB", "FK:AS", "FK:BOB", "FK:FP", "FK:SA", "FK:SJP", "FK:US"},
                      .ansprak = {"PM:AP"},
                      .utbetalningar = {"FK:ABB", "FK:AS", "FK:BOB", "FK:FP", "FK:SA", "FK:SJP", "FK:US", "PM:AP"},
                      .ovrig_information = {"FK:GEPI"}};
  if (!value.is_object()) return Fail(ConfigError{field, "must be an object"});
  for (const auto& [key, item] : value.items()) {
    std::expected<std::vector<std::string>, ConfigError> list;
    if (key == "formansinformation") {
      list = group_list(item, field + "/" + key, "FK");
      if (list) out.formansinformation = *list;
    } else if (key == "ansprak") {
      list = group_list(item, field + "/" + key, "PM");
      if (list) out.ansprak = *list;
    } else if (key == "utbetalningar") {
      list = group_list(item, field + "/" + key, "FK|PM");
      if (list) out.utbetalningar = *list;
    } else if (key == "ovrigInformation") {
      list = group_list(item, field + "/" + key, "FK|PM");
      if (list) out.ovrig_information = *list;
    } else {
      return Fail(ConfigError{field + "/" + key,
                              "unknown field (formansinformation, ansprak, utbetalningar, ovrigInformation)"});
    }
    if (!list) return Fail(list.error());
  }
  if (out.formansinformation.empty() && out.ansprak.empty() && out.utbetalningar.empty() &&
      out.ovrig_information.empty()) {
    // LEFI answers 400 to a question naming no group: better to stop at start-up.
    return Fail(ConfigError{field, "must name at least one LEFI group or information type"});
  }
  return out;
}

}  // namespace

std::expected<FkConfig, ConfigError> parse_fk_config(const nlohmann::json& config, const std::string& pointer,
                                                     const std::filesystem::path& base_dir) {
  const auto fail = [&](const std::string& key, std::string message) {
    return Fail(ConfigError{pointer + (key.empty() ? "" : "/" + key), std::move(message)});
  };
  if (!config.is_object()) return fail("", "must be an object");
  static const std::vector<std::string> known = {"endpoint",          "aktorsid",           "token",
                                                 "token_env",         "mappings",           "information",
                                                 "source_timeout_ms", "source_timeouts_ms", "max_reply_bytes",
                                                 "max_notification_bytes"};
  for (const auto& [key, _] : config.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return fail(key, "is not a known setting of the forsakringskassan adapter");
    }
  }
  for (const char* key : {"endpoint", "aktorsid", "mappings"}) {
    auto it = config.find(key);
    if (it != config.end() && (!it->is_string() || it->get_ref<const std::string&>().empty())) {
      return fail(key, "must be a non-empty string");
    }
  }
  const auto text = [&](const char* key) -> std::string {
    auto it = config.find(key);
    return it != config.end() ? it->get<std::string>() : std::string();
  };

  FkConfig out;
  out.endpoint = text("endpoint");
  if (out.endpoint.empty()) return fail("endpoint", "is required (the base URL of FK's API)");
  while (out.endpoint.ends_with('/')) out.endpoint.pop_back();
  auto url = net::parse_http_url(out.endpoint);
  if (!url) return fail("endpoint", "must be an http:// URL: " + url.error());
  out.url = *url;
  if (out.url.target == "/") out.url.target.clear();

  out.aktorsid = text("aktorsid");
  if (out.aktorsid.empty()) return fail("aktorsid", "is required (the nämnd's LEFI actor id)");
  // It goes into the URL path: keep it to what LEFI issues (a UUID-like token), nothing to escape.
  if (!std::regex_match(out.aktorsid, std::regex("[A-Za-z0-9-]{1,64}"))) {
    return fail("aktorsid", "must be letters, digits and '-' only (at most 64)");
  }

  auto token = adapter_config::read_token(config, pointer);
  if (!token) return Fail(token.error());
  out.token = std::move(*token);
  if (out.token.empty()) return fail("token", "a token (or token_env) is required");

  const std::string mappings = text("mappings");
  if (mappings.empty()) return fail("mappings",
                "is required (a folder with FORMANER.json, PAGAENDE.json, BESLUTSNOTIFIERING.json and atersokning.json)");
  out.mappings = resolve(base_dir, mappings);

  if (auto it = config.find("information"); it != config.end()) {
    auto information = parse_information(*it, pointer + "/information");
    if (!information) return Fail(information.error());
    out.information = std::move(*information);
  } else {
    auto information = parse_information(nlohmann::json::object(), pointer + "/information");
    out.information = std::move(*information);
  }

  if (auto it = config.find("source_timeout_ms"); it != config.end()) {
    auto ms = positive_ms(*it, pointer + "/source_timeout_ms");
    if (!ms) return Fail(ms.error());
    out.source_timeout = *ms;
  }
  if (auto it = config.find("source_timeouts_ms"); it != config.end()) {
    if (!it->is_object()) return fail("source_timeouts_ms", "must be an object");
    for (const auto& [source, value] : it->items()) {
      const std::string field = pointer + "/source_timeouts_ms/" + source;
      if (std::find(kFkSources.begin(), kFkSources.end(), source) == kFkSources.end()) {
        return Fail(ConfigError{field, "is not a forsakringskassan source (FORMANER, PAGAENDE)"});
      }
      auto ms = positive_ms(value, field);
      if (!ms) return Fail(ms.error());
      out.source_timeouts[source] = *ms;
    }
  }
  if (auto it = config.find("max_reply_bytes"); it != config.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 1024 || it->get<long long>() > 64 * 1024 * 1024) {
      return fail("max_reply_bytes", "must be an integer between 1024 and 67108864");
    }
    out.max_reply_bytes = it->get<std::size_t>();
  }
  if (auto it = config.find("max_notification_bytes"); it != config.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 1024 || it->get<long long>() > 1024 * 1024) {
      return fail("max_notification_bytes", "must be an integer between 1024 and 1048576");
    }
    out.max_notification_bytes = it->get<std::size_t>();
  }
  return out;
}

}  // namespace knutpunkt::forsakringskassan
