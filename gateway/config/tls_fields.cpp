#include "config/tls_fields.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/private_file.h"

namespace knutpunkt::config {

namespace {

void read_password(FieldReader& f, const std::filesystem::path& base_dir, std::string& out) {
  std::string file;
  std::string env;
  f.string("key_password_file", file);
  f.string("key_password_env", env);
  if (!f.ok()) return;
  if (!file.empty() && !env.empty())
    return f.fail("key_password_env", "give key_password_file or key_password_env, not both");
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value == nullptr || *value == '\0')
      return f.fail("key_password_env", "names an environment variable that is not set");
    out = value;
    return;
  }
  if (file.empty()) return;
  if (std::filesystem::path(file).is_relative() && !base_dir.empty()) file = (base_dir / file).string();
  if (auto owner_only = require_owner_only(file); !owner_only) return f.fail("key_password_file", owner_only.error());
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return f.fail("key_password_file", "cannot be read");
  out = text.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (out.empty()) f.fail("key_password_file", "is empty");
}

}  // namespace

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
  read_password(f, base_dir, out.key_password);
}

}  // namespace knutpunkt::config
