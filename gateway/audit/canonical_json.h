#pragma once
#include <expected>
#include <nlohmann/json.hpp>
#include <string>

namespace knutpunkt {

struct CanonicalJsonError {
  std::string code;     // "float_not_allowed" | "invalid_utf8" | "not_json"
  std::string pointer;  // JSON pointer (RFC 6901) to the offending value, "" if unknown
  std::string message;  // no personal data: never repeats the value
};

// The one byte sequence that stands for a JSON value in audit hashes: object keys sorted by
// code point (nlohmann::json's default object is a std::map), no whitespace, UTF-8 kept as is
// (no \u escapes), strings checked to be valid UTF-8. Floating-point numbers are refused:
// their text form is not canonical across libraries (1.0 vs 1, exponent forms, rounding), so
// amounts are integers in öre. Binary and discarded values are refused as "not_json".
std::expected<std::string, CanonicalJsonError> canonical_json(const nlohmann::json& value);

}  // namespace knutpunkt
