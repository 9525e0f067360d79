#include "audit/canonical_json.h"

#include <optional>

namespace knutpunkt {
namespace {

std::string escape_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// Finds the first value that has no canonical text form.
std::optional<CanonicalJsonError> find_unencodable(const nlohmann::json& value, const std::string& pointer) {
  switch (value.type()) {
    case nlohmann::json::value_t::number_float:
      return CanonicalJsonError{"float_not_allowed", pointer,
                                "Floating-point numbers have no canonical form; use integers (e.g. öre)."};
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
      return CanonicalJsonError{"not_json", pointer, "The value is not representable as JSON text."};
    case nlohmann::json::value_t::object:
      for (const auto& [key, child] : value.items()) {
        if (auto e = find_unencodable(child, pointer + "/" + escape_pointer_token(key))) return e;
      }
      return std::nullopt;
    case nlohmann::json::value_t::array:
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto e = find_unencodable(value[i], pointer + "/" + std::to_string(i))) return e;
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::expected<std::string, CanonicalJsonError> canonical_json(const nlohmann::json& value) {
  if (auto e = find_unencodable(value, "")) return std::unexpected(std::move(*e));
  try {
    return value.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::type_error&) {
    // 316: invalid UTF-8 in a string or key; dump does not say where.
    return std::unexpected(CanonicalJsonError{"invalid_utf8", "", "A string is not valid UTF-8."});
  }
}

}  // namespace knutpunkt
