#include "config/adapter_config_fields.h"

#include <cstdlib>

namespace knutpunkt::adapter_config {

void read_token(FieldReader& fields, std::string& token) {
  std::string env;
  fields.non_empty_string("token", token);
  fields.non_empty_string("token_env", env);
  if (fields.has("token") && fields.has("token_env"))
    fields.fail("token_env", "give either token or token_env, not both");
  if (fields.ok() && !env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value == nullptr || *value == '\0')
      return fields.fail("token_env", "names an environment variable that is not set");
    token = value;
  }
  if (token.find_first_of("\r\n") != std::string::npos) fields.fail("token", "must not contain line breaks");
}

void read_max_report_bytes(FieldReader& fields, std::size_t& bytes) {
  fields.integer("max_report_bytes", bytes, 1024, 16 * 1024 * 1024, Presence::optional,
                 "must be an integer between 1024 and 16777216");
}

}  // namespace knutpunkt::adapter_config
