#include "jobbtorg_config.h"

#include "config/adapter_config_fields.h"
#include "config/field_reader.h"
#include "net/http_client.h"
#include "net/tls_config.h"

namespace knutpunkt::jobbtorg {

std::expected<JobbtorgConfig, ConfigError> read_jobbtorg_config(const nlohmann::json& config,
                                                                const std::string& pointer,
                                                                const std::filesystem::path& base_dir) {
  if (!config.is_object()) return std::unexpected(ConfigError{pointer, "must be an object"});
  FieldReader f(config, pointer);
  f.only({"endpoint", "token", "token_env", "mappings", "max_report_bytes", "tls"});
  JobbtorgConfig out;
  std::string mappings;
  f.non_empty_string("endpoint", out.endpoint);
  f.non_empty_string("mappings", mappings);
  f.require("endpoint", "is required (a string)");
  while (out.endpoint.ends_with('/')) out.endpoint.pop_back();
  if (f.ok() && !net::parse_http_url(out.endpoint)) f.fail("endpoint", "must be an http:// or https:// URL");
  net::read_tls(f, out.endpoint, base_dir, out.tls);
  adapter_config::read_token(f, out.token);
  if (f.ok() && out.token.empty()) f.fail("token", "a token (or token_env) is required");
  f.require("mappings", "is required (a folder)");
  out.mappings = resolve_path(base_dir, mappings);
  adapter_config::read_max_report_bytes(f, out.max_report_bytes);
  if (!f.ok()) return std::unexpected(f.error());
  return out;
}

}  // namespace knutpunkt::jobbtorg
