#include "config/secret_fields.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/private_file.h"

namespace knutpunkt::config {

void read_secret(FieldReader& f, const std::filesystem::path& base_dir, std::string_view file_field,
                 std::string_view env_field, std::string& out) {
  const std::string file_name(file_field);
  const std::string env_name(env_field);
  std::string file;
  std::string env;
  f.string(file_name, file);
  f.string(env_name, env);
  if (!f.ok()) return;
  if (!file.empty() && !env.empty()) return f.fail(env_name, "give " + file_name + " or " + env_name + ", not both");
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value == nullptr || *value == '\0') return f.fail(env_name, "names an environment variable that is not set");
    out = value;
    return;
  }
  if (file.empty()) return;
  if (std::filesystem::path(file).is_relative() && !base_dir.empty()) file = (base_dir / file).string();
  if (auto owner_only = require_owner_only(file); !owner_only) return f.fail(file_name, owner_only.error());
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return f.fail(file_name, "cannot be read");
  out = text.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (out.empty()) f.fail(file_name, "is empty");
}

}  // namespace knutpunkt::config
