#pragma once
// A secret named by configuration but never written in it: read from a file only its owner may
// read, or from an environment variable. The config file can then be shared, reviewed and kept in
// version control without the secret.
#include <filesystem>
#include <string>
#include <string_view>

#include "config/field_reader.h"

namespace knutpunkt::config {

// Reads the fields `file_field` and `env_field` (at most one may be given) into `out`; neither
// given leaves `out` empty. A relative file is found in `base_dir`; its trailing line break is not
// part of the secret. Failures name the field.
void read_secret(FieldReader& f, const std::filesystem::path& base_dir, std::string_view file_field,
                 std::string_view env_field, std::string& out);

}  // namespace knutpunkt::config
