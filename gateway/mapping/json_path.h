#pragma once
// The small path language the mappings use on decoded JSON payloads: "/" separated steps, where a
// step is an object key (JSON Pointer escaping: ~1 for "/", ~0 for "~"), an array index, "*" (every
// element of an array or value of an object, in order), ".." (the parent) or "." (the item itself).
// A leading "/" starts at the payload root, otherwise at the current item.
#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace knutpunkt::mapping {

// The chain from the payload root to one value, so ".." can walk back up.
using JsonCursor = std::vector<const nlohmann::json*>;

// The JSON Pointer (RFC 6901) of the value a cursor ends at, e.g. "/narvaro/dagar/1"; "" for the root.
std::string json_pointer(const JsonCursor& cursor);

// One JSON Pointer reference token with "~" and "/" escaped.
std::string pointer_token(std::string_view key);

class JsonPath {
 public:
  // Error: a reason (empty step, bad escape).
  static std::expected<JsonPath, std::string> compile(const std::string& text);

  // Every value the path reaches; missing keys, out-of-range indexes and nulls reach nothing.
  std::vector<JsonCursor> select(const JsonCursor& from) const;
  bool selects_many() const { return has_wildcard_; }
  // The JSON Pointer (RFC 6901) this path names when followed from `from`, whether or not a value
  // is there: where a missing value was expected. Only meaningful for paths without "*" (a "*" step
  // is written as "*"); ".." above the root stays at the root.
  std::string pointer_from(const JsonCursor& from) const;
  const std::string& text() const { return text_; }

 private:
  enum class Kind { key, wildcard, parent, self };
  struct Step {
    Kind kind;
    std::string key;
  };
  std::string text_;
  bool absolute_ = false;
  bool has_wildcard_ = false;
  std::vector<Step> steps_;
};

}  // namespace knutpunkt::mapping
