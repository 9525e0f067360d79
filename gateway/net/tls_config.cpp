#include "net/tls_config.h"

#include "config/tls_fields.h"
#include "core/private_file.h"
#include "net/http_client.h"

namespace knutpunkt::net {

namespace {

void read_settings(FieldReader& t, const std::filesystem::path& base_dir, TlsSettings& out) {
  t.only({"ca_file", "certificate", "key", "key_password_file", "key_password_env", "server_name", "comment"});
  std::string ca_file;
  t.require("ca_file", "is required: the CA bundle the partner's certificate is verified against");
  t.non_empty_string("ca_file", ca_file);
  t.non_empty_string("server_name", out.server_name);
  // A partner that needs no client certificate may omit both certificate and key.
  config::read_key_pair(t, out.identity, Presence::optional, base_dir);
  if (!t.ok()) return;
  out.ca_file = resolve_path(base_dir, ca_file);
  out.identity.certificate = resolve_path(base_dir, out.identity.certificate).string();
  out.identity.key = resolve_path(base_dir, out.identity.key).string();
  // The organisation key speaks for the whole municipality: no one else on the host may read it.
  // Checked here too, not only when the key is loaded, so the error names the field.
  if (!out.identity.key.empty()) {
    if (auto private_key = require_owner_only(out.identity.key); !private_key) t.fail("key", private_key.error());
  }
}

}  // namespace

void read_tls(FieldReader& f, const std::string& url, const std::filesystem::path& base_dir,
              std::optional<TlsSettings>& out) {
  if (!f.ok()) return;
  const bool https = url.starts_with("https://");
  if (!f.has("tls")) {
    if (https) f.fail("tls", "is required for an https:// endpoint (at least ca_file, the partner's CA bundle)");
    return;
  }
  if (!https) return f.fail("tls", "applies only to an https:// endpoint");
  TlsSettings settings;
  f.object("tls", [&](FieldReader& t) { read_settings(t, base_dir, settings); });
  if (f.ok()) out = std::move(settings);
}

std::expected<std::shared_ptr<TlsProfile>, ConfigError> load_tls_profile(HttpClient& http,
                                                                         const std::string& tls_pointer,
                                                                         const std::optional<TlsSettings>& settings) {
  if (!settings) return nullptr;
  auto profile = http.tls_profile(tls_pointer, *settings);
  if (!profile) return std::unexpected(ConfigError{tls_pointer, profile.error()});
  return *profile;
}

}  // namespace knutpunkt::net
