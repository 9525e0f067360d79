#pragma once
#include <expected>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

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
//
// It stays strict about UTF-8 on purpose: the verifier recomputes hashes from what the store
// holds, so a canonical form that repaired text would hash bytes no record holds. Text that may
// not be UTF-8 is escaped before it becomes a record (with_valid_utf8, in AuditLog::append).
std::expected<std::string, CanonicalJsonError> canonical_json(const nlohmann::json& value);

// Whether `text` is well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no surrogates,
// nothing above U+10FFFF), as canonical_json requires.
bool is_valid_utf8(std::string_view text);

// Bytes from outside (a request target, a query parameter's name) as text an audit record can
// hold. Text that is valid UTF-8 and does not begin with U+FFFD is returned as it is, so almost
// every string is untouched. Any other text becomes U+FFFD (the marker: "bytes were escaped
// here"), then the bytes with each byte that is not part of a well-formed UTF-8 sequence written
// as \xHH (two lowercase hex digits) and each backslash doubled.
//
// Why this form: an auditor must be able to recover exactly what was sent, so the escaping is
// reversible (unescape_utf8 gives the bytes back) and unambiguous (no two inputs give one text):
// escaped text always begins with the marker and unescaped text never does, and inside escaped
// text a backslash is either "\\" or "\xHH". Replacing bad bytes with U+FFFD alone would lose
// them; a \u escape of a lone surrogate would not be valid UTF-8 either.
std::string escape_utf8(std::string_view bytes);

// The bytes escape_utf8 was given; nullopt for text escape_utf8 cannot have made (after the
// marker: a lone backslash, a malformed \x escape, a \x escape of a byte that needed none).
std::optional<std::string> unescape_utf8(std::string_view text);

// `value` with every string and object key passed through escape_utf8: what an audit record's
// body is made of before it is hashed, so canonical_json can always encode its strings.
nlohmann::json with_valid_utf8(nlohmann::json value);

}  // namespace knutpunkt
