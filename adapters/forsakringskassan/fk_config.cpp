#include "fk_config.h"

#include <algorithm>
#include <regex>

#include "config/adapter_config_fields.h"
#include "config/field_reader.h"
#include "net/tls_config.h"

namespace knutpunkt::forsakringskassan {

namespace {

constexpr std::string_view kTimeout = "must be an integer number of milliseconds between 1 and 600000";

// LEFI group codes carry the issuing agency as prefix (LefiExternFormanGruppKod); `prefixes` is
// what the information class accepts: case information is FK's only, claims are PM's only.
void read_group_list(FieldReader& f, const std::string& key, const std::string& prefixes,
                     std::vector<std::string>& out) {
  const nlohmann::json* value = f.field(key);
  if (!value->is_array()) return f.fail(key, "must be an array of LEFI group codes");
  const std::regex form("(" + prefixes + "):[A-Z]{2,4}");
  std::vector<std::string> codes;
  for (std::size_t i = 0; i < value->size(); ++i) {
    const nlohmann::json& item = (*value)[i];
    const std::string item_key = key + "/" + std::to_string(i);
    if (!item.is_string() || !std::regex_match(item.get<std::string>(), form)) {
      return f.fail(item_key, "must be a LEFI code of the form " + prefixes + ":XX, e.g. " + prefixes.substr(0, 2) +
                                  ":" + (prefixes.starts_with("PM") ? "AP" : "BOB"));
    }
    if (std::find(codes.begin(), codes.end(), item.get<std::string>()) != codes.end()) {
      return f.fail(item_key, "is listed twice (LEFI requires unique items)");
    }
    codes.push_back(item.get<std::string>());
  }
  out = std::move(codes);
}

void read_information(FieldReader& f, LefiInformation& out) {
  for (const auto& [key, _] : f.value().items()) {
    if (key == "formansinformation") {
      read_group_list(f, key, "FK", out.formansinformation);
    } else if (key == "ansprak") {
      read_group_list(f, key, "PM", out.ansprak);
    } else if (key == "utbetalningar") {
      read_group_list(f, key, "FK|PM", out.utbetalningar);
    } else if (key == "ovrigInformation") {
      read_group_list(f, key, "FK|PM", out.ovrig_information);
    } else {
      f.fail(key, "unknown field (formansinformation, ansprak, utbetalningar, ovrigInformation)");
    }
  }
  if (f.ok() && out.formansinformation.empty() && out.ansprak.empty() && out.utbetalningar.empty() &&
      out.ovrig_information.empty()) {
    // LEFI answers 400 to a question naming no group: better to stop at start-up.
    f.fail("", "must name at least one LEFI group or information type");
  }
}

void read_endpoint(FieldReader& f, FkConfig& out) {
  f.require("endpoint", "is required (the base URL of FK's API)");
  while (out.endpoint.ends_with('/')) out.endpoint.pop_back();
  if (!f.ok()) return;
  auto url = net::parse_http_url(out.endpoint);
  if (!url) return f.fail("endpoint", "must be an http:// or https:// URL: " + url.error());
  out.url = *url;
  if (out.url.target == "/") out.url.target.clear();
}

void read_source_timeouts(FieldReader& f, std::map<std::string, std::chrono::milliseconds>& out) {
  f.object("source_timeouts_ms", [&](FieldReader& t) {
    for (const auto& [source, _] : t.value().items()) {
      if (std::find(kFkSources.begin(), kFkSources.end(), source) == kFkSources.end()) {
        t.fail(source, "is not a forsakringskassan source (FORMANER, PAGAENDE)");
      }
      t.millis(source, out[source], 1, 600000, kTimeout);
    }
  });
}

}  // namespace

std::expected<FkConfig, ConfigError> read_fk_config(const nlohmann::json& config, const std::string& pointer,
                                                    const std::filesystem::path& base_dir) {
  if (!config.is_object()) return std::unexpected(ConfigError{pointer, "must be an object"});
  FieldReader f(config, pointer);
  f.only({"endpoint", "aktorsid", "token", "token_env", "mappings", "information", "source_timeout_ms",
          "source_timeouts_ms", "max_reply_bytes", "max_notification_bytes", "tls"},
         "is not a known setting of the forsakringskassan adapter");
  FkConfig out;
  std::string mappings;
  f.non_empty_string("endpoint", out.endpoint);
  f.non_empty_string("aktorsid", out.aktorsid);
  f.non_empty_string("mappings", mappings);
  read_endpoint(f, out);
  net::read_tls(f, out.endpoint, base_dir, out.tls);
  f.require("aktorsid", "is required (the nämnd's LEFI actor id)");
  // It goes into the URL path: keep it to what LEFI issues (a UUID-like token), nothing to escape.
  if (f.ok() && !std::regex_match(out.aktorsid, std::regex("[A-Za-z0-9-]{1,64}"))) {
    f.fail("aktorsid", "must be letters, digits and '-' only (at most 64)");
  }
  adapter_config::read_token(f, out.token);
  if (f.ok() && out.token.empty()) f.fail("token", "a token (or token_env) is required");
  f.require("mappings",
            "is required (a folder with FORMANER.json, PAGAENDE.json, BESLUTSNOTIFIERING.json and atersokning.json)");
  out.mappings = resolve_path(base_dir, mappings);
  // Defaults: what ekonomiskt bistånd commonly needs, and FK:GEPI for the protected-identity flag.
  out.information = {.formansinformation = {"FK:ABB", "FK:AS", "FK:BOB", "FK:FP", "FK:SA", "FK:SJP", "FK:US"},
                     .ansprak = {"PM:AP"},
                     .utbetalningar = {"FK:ABB", "FK:AS", "FK:BOB", "FK:FP", "FK:SA", "FK:SJP", "FK:US", "PM:AP"},
                     .ovrig_information = {"FK:GEPI"}};
  f.object("information", [&](FieldReader& information) { read_information(information, out.information); });
  f.millis("source_timeout_ms", out.source_timeout, 1, 600000, kTimeout);
  read_source_timeouts(f, out.source_timeouts);
  f.integer("max_reply_bytes", out.max_reply_bytes, 1024, 64 * 1024 * 1024, Presence::optional,
            "must be an integer between 1024 and 67108864");
  f.integer("max_notification_bytes", out.max_notification_bytes, 1024, 1024 * 1024, Presence::optional,
            "must be an integer between 1024 and 1048576");
  if (!f.ok()) return std::unexpected(f.error());
  return out;
}

}  // namespace knutpunkt::forsakringskassan
