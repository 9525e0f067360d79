#include "net/tls_config.h"

#include <cstdlib>

#include "core/private_file.h"
#include "net/http_client.h"

namespace knutpunkt::net {

namespace {

void read_settings(FieldReader& t, const std::filesystem::path& base_dir, TlsSettings& out) {
  t.only({"ca_file", "certificate", "key", "key_password_file", "key_password_env", "server_name", "comment"});
  std::string ca_file, certificate, key, password_file;
  t.require("ca_file", "is required: the CA bundle the partner's certificate is verified against");
  t.non_empty_string("ca_file", ca_file);
  t.non_empty_string("certificate", certificate);
  t.non_empty_string("key", key);
  t.non_empty_string("key_password_file", password_file);
  t.non_empty_string("key_password_env", out.key_password_env);
  t.non_empty_string("server_name", out.server_name);
  if (!t.ok()) return;
  // A partner that needs no client certificate may omit both; one without the other is a mistake.
  if (certificate.empty() != key.empty()) {
    return t.fail(certificate.empty() ? "certificate" : "key", "certificate and key are given together or not at all");
  }
  if (!password_file.empty() && !out.key_password_env.empty()) {
    return t.fail("key_password_env", "give either key_password_file or key_password_env, not both");
  }
  if (key.empty() && (!password_file.empty() || !out.key_password_env.empty())) {
    return t.fail(password_file.empty() ? "key_password_env" : "key_password_file", "applies only with a key");
  }
  out.ca_file = resolve_path(base_dir, ca_file);
  out.certificate = resolve_path(base_dir, certificate);
  out.key = resolve_path(base_dir, key);
  out.key_password_file = resolve_path(base_dir, password_file);
  // The organisation key speaks for the whole municipality: no one else on the host may read it.
  if (!key.empty()) {
    if (auto private_key = require_owner_only(out.key); !private_key) return t.fail("key", private_key.error());
  }
  if (!password_file.empty()) {
    if (auto private_file = require_owner_only(out.key_password_file); !private_file) {
      return t.fail("key_password_file", private_file.error());
    }
  }
  if (!out.key_password_env.empty() && std::getenv(out.key_password_env.c_str()) == nullptr) {
    return t.fail("key_password_env", "names an environment variable that is not set");
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
