#include "config/field_reader.h"

#include <algorithm>

namespace knutpunkt {

using json = nlohmann::json;

FieldReader::FieldReader(const json& object, std::string pointer) : object_(object), pointer_(std::move(pointer)) {}

std::expected<void, ConfigError> FieldReader::result() const {
  if (error_) return std::unexpected(*error_);
  return {};
}

void FieldReader::fail(std::string_view key, std::string message) {
  if (!error_) error_ = ConfigError{key.empty() ? pointer_ : pointer_ + "/" + std::string(key), std::move(message)};
}

void FieldReader::fail(const ConfigError& error) {
  if (!error_) error_ = error;
}

void FieldReader::only(std::initializer_list<std::string_view> allowed, std::string_view message) {
  for (const auto& [key, _] : object_.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) fail(key, std::string(message));
  }
}

const json* FieldReader::field(std::string_view key, Presence presence) {
  const auto it = object_.find(key);
  if (it == object_.end()) {
    if (presence == Presence::required) fail(key, "is required");
    return nullptr;
  }
  return &*it;
}

void FieldReader::require(std::string_view key, std::string message) {
  if (!has(key)) fail(key, std::move(message));
}

void FieldReader::string(std::string_view key, std::string& out, Presence presence, Emptiness empty) {
  const json* v = field(key, presence);
  if (v == nullptr) return;
  if (!v->is_string()) return fail(key, "must be a string");
  if (empty == Emptiness::refused && v->get_ref<const std::string&>().empty()) return fail(key, "must not be empty");
  out = v->get<std::string>();
}

void FieldReader::non_empty_string(std::string_view key, std::string& out, std::string_view message) {
  const json* v = field(key);
  if (v == nullptr) return;
  if (!v->is_string() || v->get_ref<const std::string&>().empty()) return fail(key, std::string(message));
  out = v->get<std::string>();
}

void FieldReader::boolean(std::string_view key, bool& out) {
  const json* v = field(key);
  if (v == nullptr) return;
  if (!v->is_boolean()) return fail(key, "must be true or false");
  out = v->get<bool>();
}

void FieldReader::number(std::string_view key, double& out, double min, double max) {
  const json* v = field(key);
  if (v == nullptr) return;
  if (!v->is_number()) return fail(key, "must be a number");
  const double n = v->get<double>();
  if (n < min || n > max) return fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  out = n;
}

std::optional<long long> FieldReader::whole_number(std::string_view key, long long min, long long max,
                                                   Presence presence, std::string_view message) {
  const json* v = field(key, presence);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer()) {
    fail(key, message.empty() ? "must be an integer" : std::string(message));
    return std::nullopt;
  }
  const auto n = v->get<long long>();
  if (n < min || n > max) {
    fail(key, message.empty() ? "must be between " + std::to_string(min) + " and " + std::to_string(max)
                              : std::string(message));
    return std::nullopt;
  }
  return n;
}

void FieldReader::strings(std::string_view key, std::vector<std::string>& out, Presence presence) {
  const json* v = field(key, presence);
  if (v == nullptr) return;
  if (!v->is_array()) return fail(key, "must be an array of strings");
  for (std::size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      return fail(std::string(key) + "/" + std::to_string(i), "must be a non-empty string");
    }
    out.push_back(item.get<std::string>());
  }
}

void FieldReader::string_set(std::string_view key, std::set<std::string>& out, Presence presence) {
  std::vector<std::string> list;
  strings(key, list, presence);
  out.insert(list.begin(), list.end());
}

void FieldReader::object(std::string_view key, const std::function<void(FieldReader&)>& read, Presence presence) {
  const json* v = field(key, presence);
  if (v == nullptr) return;
  if (!v->is_object()) return fail(key, "must be an object");
  FieldReader nested(*v, pointer_ + "/" + std::string(key));
  read(nested);
  if (!nested.ok()) fail(nested.error());
}

void FieldReader::objects(std::string_view key, const std::function<void(FieldReader&, std::size_t)>& read,
                          Presence presence) {
  const json* v = field(key, presence);
  if (v == nullptr) return;
  if (!v->is_array()) return fail(key, "must be an array");
  for (std::size_t i = 0; i < v->size() && ok(); ++i) {
    const std::string pointer = pointer_ + "/" + std::string(key) + "/" + std::to_string(i);
    if (auto r = require_object((*v)[i], pointer); !r) return fail(r.error());
    FieldReader item((*v)[i], pointer);
    read(item, i);
    if (!item.ok()) fail(item.error());
  }
}

std::expected<void, ConfigError> require_object(const json& value, const std::string& pointer) {
  if (!value.is_object()) return std::unexpected(ConfigError{pointer.empty() ? "/" : pointer, "must be an object"});
  return {};
}

std::filesystem::path resolve_path(const std::filesystem::path& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  return path.empty() || p.is_absolute() ? p : base_dir / p;
}

}  // namespace knutpunkt
