#pragma once
// Settings every partner adapter's config shares, read one way: the bearer token knutpunkt
// presents to the partner, and the largest message a partner may send back. Each adapter still
// owns its config and reads these into it with its own FieldReader.
#include <cstddef>
#include <string>

#include "config/field_reader.h"

namespace knutpunkt::adapter_config {

// "token" or "token_env" (never both): the token itself, or the name of an environment variable
// holding it, so config files need carry no credentials. A token may not hold line breaks (it
// goes into a header). Left empty when neither is given; the adapter decides whether that is allowed.
void read_token(FieldReader& fields, std::string& token);

// "max_report_bytes": 1 KiB to 16 MiB; `bytes` is left as it is when absent.
void read_max_report_bytes(FieldReader& fields, std::size_t& bytes);

}  // namespace knutpunkt::adapter_config
