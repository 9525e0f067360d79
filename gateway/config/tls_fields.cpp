#include "config/tls_fields.h"

#include "config/secret_fields.h"

namespace knutpunkt::config {

void read_key_pair(FieldReader& f, KeyPairFiles& out, Presence presence, const std::filesystem::path& base_dir) {
  f.string("certificate", out.certificate, presence);
  f.string("key", out.key, presence);
  if (!f.ok()) return;
  if (out.certificate.empty() != out.key.empty()) {
    return f.fail(out.key.empty() ? "key" : "certificate", "certificate and key are given together");
  }
  if (out.key.empty() && (f.has("key_password_file") || f.has("key_password_env"))) {
    return f.fail("key", "a key password needs a key");
  }
  read_secret(f, base_dir, "key_password_file", "key_password_env", out.key_password);
}

}  // namespace knutpunkt::config
