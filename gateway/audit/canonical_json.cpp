#include "audit/canonical_json.h"

#include <optional>
#include <vector>

namespace knutpunkt {
namespace {

// U+FFFD REPLACEMENT CHARACTER in UTF-8: begins every escaped text.
constexpr std::string_view kEscapedMarker = "\xEF\xBF\xBD";

// The length of the well-formed UTF-8 sequence at `at` (Unicode table 3-7), 0 when there is none.
std::size_t sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto continuation = [&](std::size_t i, unsigned char low = 0x80, unsigned char high = 0xBF) {
    return i < text.size() && byte(i) >= low && byte(i) <= high;
  };
  const unsigned char lead = byte(at);
  if (lead <= 0x7F) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(at + 1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    // E0: no overlong forms; ED: no UTF-16 surrogates.
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;
    return continuation(at + 1, low, high) && continuation(at + 2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    // F0: no overlong forms; F4: nothing above U+10FFFF.
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
    return continuation(at + 1, low, high) && continuation(at + 2) && continuation(at + 3) ? 4 : 0;
  }
  return 0;  // a continuation byte out of place, C0, C1 or F5..FF
}

bool needs_escaping(std::string_view text) {
  return text.starts_with(kEscapedMarker) || !is_valid_utf8(text);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void escape_in_place(nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string: {
      auto& text = value.get_ref<std::string&>();
      if (needs_escaping(text)) text = escape_utf8(text);
      return;
    }
    case nlohmann::json::value_t::object: {
      std::vector<std::string> renamed;
      for (const auto& [key, child] : value.items()) {
        if (needs_escaping(key)) renamed.push_back(key);
      }
      // Escaping is injective, so a renamed key never meets another key of the object.
      for (const auto& key : renamed) {
        nlohmann::json child = std::move(value[key]);
        value.erase(key);
        value[escape_utf8(key)] = std::move(child);
      }
      for (auto& [key, child] : value.items()) escape_in_place(child);
      return;
    }
    case nlohmann::json::value_t::array:
      for (auto& child : value) escape_in_place(child);
      return;
    default:
      return;
  }
}

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

bool is_valid_utf8(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t n = sequence_length(text, at);
    if (n == 0) return false;
    at += n;
  }
  return true;
}

std::string escape_utf8(std::string_view bytes) {
  if (!needs_escaping(bytes)) return std::string(bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kEscapedMarker);
  out.reserve(out.size() + bytes.size() + bytes.size() / 2);
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t n = sequence_length(bytes, at);
    if (n == 0) {
      const auto byte = static_cast<unsigned char>(bytes[at]);
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
      ++at;
    } else if (bytes[at] == '\\') {
      out += "\\\\";
      ++at;
    } else {
      out.append(bytes.substr(at, n));
      at += n;
    }
  }
  return out;
}

std::optional<std::string> unescape_utf8(const std::string_view escaped) {
  if (!escaped.starts_with(kEscapedMarker)) return std::string(escaped);
  const std::string_view text = escaped.substr(kEscapedMarker.size());
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (text[at] != '\\') {
      out += text[at];
      continue;
    }
    if (at + 1 < text.size() && text[at + 1] == '\\') {
      out += '\\';
      at += 1;
      continue;
    }
    if (at + 3 >= text.size() || text[at + 1] != 'x') return std::nullopt;
    const int high = hex_value(text[at + 2]);
    const int low = hex_value(text[at + 3]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    at += 3;
  }
  // Only what escape_utf8 makes reads back: "\x41" for "A", or the marker on text that needed no
  // escaping, would give a second spelling of the same bytes.
  if (escape_utf8(out) != escaped) return std::nullopt;
  return out;
}

nlohmann::json with_valid_utf8(nlohmann::json value) {
  escape_in_place(value);
  return value;
}

}  // namespace knutpunkt
