#pragma once
// Reads one JSON object of the configuration into typed values, field by field. The first error
// is kept and names its field by JSON pointer; reads after it change nothing that is returned,
// so a section reads top to bottom and is checked once at the end:
//
//   FieldReader f(value, "/server");
//   f.only({"host", "port"});
//   f.string("host", server.host);
//   f.integer("port", server.port, 0, 65535);
//   if (!f.ok()) return std::unexpected(f.error());
//
// Errors read as the field's predicate ("/server/port": "must be between 0 and 65535"). A reader
// whose partner documents its own wording passes `message`, which then covers every wrong value.
#include <chrono>
#include <expected>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config_error.h"

namespace knutpunkt {

enum class Presence { optional, required };
enum class Emptiness { refused, allowed };

class FieldReader {
 public:
  FieldReader(const nlohmann::json& object, std::string pointer);

  bool ok() const { return !error_; }
  const ConfigError& error() const { return *error_; }
  std::expected<void, ConfigError> result() const;
  const std::string& pointer() const { return pointer_; }
  const nlohmann::json& value() const { return object_; }

  // `key` "" names the object itself.
  void fail(std::string_view key, std::string message);
  // An error found by a reader of its own (a nested object, a shared field group).
  void fail(const ConfigError& error);

  void only(std::initializer_list<std::string_view> allowed, std::string_view message = "unknown field");
  bool has(std::string_view key) const { return object_.contains(key); }
  // When absent: nullptr, and "is required" if `presence` says so.
  const nlohmann::json* field(std::string_view key, Presence presence = Presence::optional);
  void require(std::string_view key, std::string message = "is required");

  void string(std::string_view key, std::string& out, Presence presence = Presence::optional,
              Emptiness empty = Emptiness::refused);
  // One message for a value of any other type and for "".
  void non_empty_string(std::string_view key, std::string& out,
                        std::string_view message = "must be a non-empty string");
  void boolean(std::string_view key, bool& out);
  void number(std::string_view key, double& out, double min, double max);

  template <typename Int>
  void integer(std::string_view key, Int& out, long long min, long long max, Presence presence = Presence::optional,
               std::string_view message = {}) {
    if (const auto n = whole_number(key, min, max, presence, message)) out = static_cast<Int>(*n);
  }

  // A whole number of `Unit`s (config names say which: "timeout_ms", "max_age_s").
  template <typename Unit, typename Rep, typename Period>
  void duration(std::string_view key, std::chrono::duration<Rep, Period>& out, long long min, long long max,
                std::string_view message = {}) {
    if (const auto n = whole_number(key, min, max, Presence::optional, message)) out = Unit{*n};
  }
  void millis(std::string_view key, std::chrono::milliseconds& out, long long min, long long max,
              std::string_view message = {}) {
    duration<std::chrono::milliseconds>(key, out, min, max, message);
  }

  // A string naming one of `codes`; anything else, of whatever type, fails with `message`.
  template <typename T>
  void code(std::string_view key, T& out, std::initializer_list<std::pair<std::string_view, T>> codes,
            std::string_view message) {
    const nlohmann::json* v = field(key);
    if (v == nullptr) return;
    for (const auto& [name, value] : codes) {
      if (v->is_string() && v->get_ref<const std::string&>() == name) {
        out = value;
        return;
      }
    }
    fail(key, std::string(message));
  }

  // Arrays of non-empty strings; a wrong item is named by its index.
  void strings(std::string_view key, std::vector<std::string>& out, Presence presence = Presence::optional);
  void string_set(std::string_view key, std::set<std::string>& out, Presence presence = Presence::optional);

  // A nested object, read by `read` with a reader of its own whose first error becomes this one's.
  void object(std::string_view key, const std::function<void(FieldReader&)>& read,
              Presence presence = Presence::optional);
  // An array of objects, each read by `read` with a reader of its own (".../key/<index>").
  void objects(std::string_view key, const std::function<void(FieldReader&, std::size_t)>& read,
               Presence presence = Presence::optional);

 private:
  std::optional<long long> whole_number(std::string_view key, long long min, long long max, Presence presence,
                                        std::string_view message);

  const nlohmann::json& object_;
  std::string pointer_;
  std::optional<ConfigError> error_;
};

// "must be an object" at `pointer` ("/" for the document itself) unless it is one.
std::expected<void, ConfigError> require_object(const nlohmann::json& value, const std::string& pointer);

// Relative paths in the config resolve against the config file's directory; "" stays "".
std::filesystem::path resolve_path(const std::filesystem::path& base_dir, const std::string& path);

}  // namespace knutpunkt
