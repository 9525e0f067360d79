#pragma once
// JSON as the PostgreSQL store keeps it: text, in the same compact encoding SQLite stores, so a
// body reads back byte for byte as it was written (the audit hash chain depends on it).
#include <expected>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "store/store_error.h"

namespace knutpunkt::pg {

inline std::expected<std::string, StoreError> encode_json(const nlohmann::json& value) {
  if (value.is_discarded()) return std::unexpected(StoreError{"invalid_body", "value is not a JSON value"});
  try {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    return std::unexpected(StoreError{"invalid_body", "value is not valid UTF-8"});
  }
}

// Text that no longer parses (an edited database) reads as a discarded value, as in SQLite.
inline nlohmann::json decode_json(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// A JSON array of strings as stored; anything else in it is skipped.
inline std::set<std::string> decode_string_set(const std::string& text) {
  std::set<std::string> out;
  const auto values = decode_json(text);
  if (values.is_array()) {
    for (const auto& v : values) {
      if (v.is_string()) out.insert(v.get<std::string>());
    }
  }
  return out;
}

}  // namespace knutpunkt::pg
