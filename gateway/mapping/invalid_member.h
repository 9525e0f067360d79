#pragma once
// How the loaders of mapping files, outbound templates and JSON Schemas stop at the first problem:
// a check deep inside a recursive walk throws InvalidMember, and the loader catches it where
// loading began and turns it into its error value, so no error is threaded through every level.
// Nothing escapes a loader.
#include <cstddef>
#include <string>
#include <string_view>

#include "mapping/json_path.h"

namespace knutpunkt::mapping {

struct InvalidMember {
  std::string pointer;  // JSON Pointer (RFC 6901) of the offending member, in the file being loaded
  std::string message;
};

// The pointer of member `key`, or element `index`, of the value at `pointer`.
inline std::string child_pointer(const std::string& pointer, std::string_view key) {
  return pointer + "/" + pointer_token(key);
}
inline std::string child_pointer(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

}  // namespace knutpunkt::mapping
