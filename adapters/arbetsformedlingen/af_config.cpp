#include "af_config.h"

#include "af_sources.h"
#include "config/adapter_config_fields.h"
#include "config/field_reader.h"
#include "net/tls_config.h"

namespace knutpunkt::arbetsformedlingen {

namespace {

constexpr std::string_view kTimeout = "must be an integer number of milliseconds between 1 and 600000";

void read_endpoint(FieldReader& f, const std::string& endpoint, net::HttpUrl& out) {
  if (!f.ok()) return;
  auto url = net::parse_http_url(endpoint);
  if (!url) return f.fail("endpoint", url.error());
  while (url->target.size() > 1 && url->target.ends_with('/')) url->target.pop_back();
  if (url->target == "/") url->target.clear();  // resources are appended as "/<resource>"
  if (url->target.find_first_of("?#") != std::string::npos) {
    return f.fail("endpoint", "must be a base URL without query or fragment");
  }
  out = *url;
}

void read_source_timeouts(FieldReader& f, std::map<std::string, std::chrono::milliseconds>& out) {
  const nlohmann::json* timeouts = f.field("source_timeouts_ms");
  if (timeouts != nullptr && !timeouts->is_object()) {
    return f.fail("source_timeouts_ms", "must be an object of source code to milliseconds");
  }
  f.object("source_timeouts_ms", [&](FieldReader& t) {
    for (const auto& [source, _] : t.value().items()) {
      if (!source_with_code(source)) {
        t.fail(source, "is not an AF source (INSKRIVNING, HANDLINGSPLAN, AKTIVITETSRAPPORTER, BESLUT)");
      }
      t.millis(source, out[source], 1, 600000, kTimeout);
    }
  });
}

}  // namespace

std::expected<AfConfig, ConfigError> read_af_config(const nlohmann::json& config, const std::string& pointer,
                                                    const std::filesystem::path& base_dir) {
  if (!config.is_object()) return std::unexpected(ConfigError{pointer, "must be an object"});
  FieldReader f(config, pointer);
  f.only({"endpoint", "token", "token_env", "mappings", "source_timeout_ms", "source_timeouts_ms", "max_reply_bytes",
          "max_json_depth", "tls"},
         "is not a known setting of the arbetsformedlingen adapter");
  AfConfig out;
  std::string endpoint, mappings;
  f.non_empty_string("endpoint", endpoint);
  f.non_empty_string("mappings", mappings);
  f.require("endpoint", "is required (the base URL of AF's API)");
  read_endpoint(f, endpoint, out.endpoint);
  net::read_tls(f, endpoint, base_dir, out.tls);
  adapter_config::read_token(f, out.token);
  if (f.ok() && out.token.empty()) f.fail("token", "a token (or token_env) is required");
  f.require("mappings", "is required (the folder of the AF mappings)");
  out.mappings = resolve_path(base_dir, mappings);
  f.millis("source_timeout_ms", out.source_timeout, 1, 600000, kTimeout);
  read_source_timeouts(f, out.source_timeouts);
  f.integer("max_reply_bytes", out.max_reply_bytes, 1024, 64LL * 1024 * 1024, Presence::optional,
            "must be an integer between 1024 and 67108864");
  f.integer("max_json_depth", out.max_json_depth, 4, 256, Presence::optional, "must be an integer between 4 and 256");
  if (!f.ok()) return std::unexpected(f.error());
  return out;
}

}  // namespace knutpunkt::arbetsformedlingen
