// Loads and renders outbound templates. Loading checks everything a file can get wrong (pointer
// syntax, unknown placeholder keys, a default of the wrong type) so that rendering can only fail on
// the source document, and then names the source field.
#include "mapping/outbound_template.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "mapping/invalid_member.h"
#include "mapping/json_path.h"
#include "mapping/mapping_spec.h"
#include "mapping/values.h"

namespace knutpunkt::mapping {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

enum class SlotType { any, string, integer, boolean, date, datetime };

struct Placeholder {
  std::string from;  // the source pointer as written, for error fields
  std::vector<std::string> tokens;
  bool required = false;
  SlotType type = SlotType::any;
  std::optional<json> fallback;  // "default"
};

struct TemplateNode {
  enum class Kind { literal, placeholder, object, array };
  // An object's key and value. Not a std::pair: clang (with libstdc++) cannot check pair's default
  // constructor while TemplateNode is still incomplete, and the sanitizer and fuzz build is clang.
  struct Member;
  Kind kind = Kind::literal;
  std::string pointer;  // in the template file, for error messages
  json literal;
  Placeholder placeholder;
  std::vector<Member> members;
  std::vector<TemplateNode> elements;
};

struct TemplateNode::Member {
  std::string key;
  TemplateNode value;
};

// RFC 6901 syntax: "" (the whole document) or "/"-prefixed tokens with ~0 and ~1 as the only escapes.
std::optional<std::vector<std::string>> parse_pointer(const std::string& text) {
  std::vector<std::string> tokens;
  if (text.empty()) return tokens;
  if (text.front() != '/') return std::nullopt;
  std::string token;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (text[i] != '~') {
      token += text[i];
    } else if (i + 1 < text.size() && (text[i + 1] == '0' || text[i + 1] == '1')) {
      token += text[++i] == '0' ? '~' : '/';
    } else {
      return std::nullopt;
    }
  }
  return tokens;
}

// nullptr when the pointer reaches nothing. Array tokens are decimal indexes without leading zeros.
const json* resolve(const json& source, const std::vector<std::string>& tokens) {
  const json* at = &source;
  for (const std::string& token : tokens) {
    if (at->is_object()) {
      const auto found = at->find(token);
      if (found == at->end()) return nullptr;
      at = &*found;
    } else if (at->is_array()) {
      if (token.empty() || token.size() > 9 || token.find_first_not_of("0123456789") != std::string::npos ||
          (token.size() > 1 && token.front() == '0')) {
        return nullptr;
      }
      const auto index = std::stoul(token);
      if (index >= at->size()) return nullptr;
      at = &(*at)[index];
    } else {
      return nullptr;
    }
  }
  return at;
}

// Missing means absent, null or blank text: an empty phone number is sent as no phone number.
bool missing(const json* value) {
  if (value == nullptr || value->is_null()) return true;
  return value->is_string() && value->get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos;
}

// A reason without the value (it may be personal data); empty when the value has the type.
std::string type_problem(SlotType type, const json& value) {
  switch (type) {
    case SlotType::any:
      return {};
    case SlotType::string:
      return value.is_string() ? "" : "not a string";
    case SlotType::integer:
      return value.is_number_integer() ? "" : "not an integer";
    case SlotType::boolean:
      return value.is_boolean() ? "" : "not a boolean";
    case SlotType::date:
      // Exactly YYYY-MM-DD: values::date would also take (and drop) a zone suffix, which a partner
      // reading a plain date might not.
      return value.is_string() && value.get<std::string>().size() == 10 && values::date(value.get<std::string>())
                 ? ""
                 : "not a date YYYY-MM-DD";
    case SlotType::datetime:
      return value.is_string() && values::datetime(value.get<std::string>()) ? ""
                                                                             : "not a date-time YYYY-MM-DDThh:mm:ss";
  }
  return "unknown type";
}

TemplateNode read_node(const json& value, const std::string& p);

TemplateNode read_placeholder(const json& value, const std::string& p) {
  static const std::vector<std::string> allowed = {"$from", "required", "type", "default", "description"};
  for (const auto& [key, member] : value.items()) {
    if (std::ranges::find(allowed, key) == allowed.end())
      throw InvalidMember{child_pointer(p, key), "unknown placeholder member \"" + key + "\""};
  }
  TemplateNode node;
  node.kind = TemplateNode::Kind::placeholder;
  node.pointer = p;
  Placeholder& slot = node.placeholder;
  const json& from = value["$from"];
  if (!from.is_string()) throw InvalidMember{child_pointer(p, "$from"), "must be a JSON pointer string"};
  slot.from = from.get<std::string>();
  auto tokens = parse_pointer(slot.from);
  if (!tokens) throw InvalidMember{child_pointer(p, "$from"), "not a JSON pointer (\"\" or \"/a/b\", escapes ~0 ~1)"};
  slot.tokens = std::move(*tokens);
  if (value.contains("required")) {
    if (!value["required"].is_boolean()) throw InvalidMember{child_pointer(p, "required"), "must be true or false"};
    slot.required = value["required"].get<bool>();
  }
  if (value.contains("type")) {
    static const std::map<std::string, SlotType> types = {{"string", SlotType::string},
                                                          {"integer", SlotType::integer},
                                                          {"boolean", SlotType::boolean},
                                                          {"date", SlotType::date},
                                                          {"datetime", SlotType::datetime}};
    const json& type = value["type"];
    const auto found = type.is_string() ? types.find(type.get<std::string>()) : types.end();
    if (found == types.end())
      throw InvalidMember{child_pointer(p, "type"), "must be one of string, integer, boolean, date, datetime"};
    slot.type = found->second;
  }
  if (value.contains("description") && !value["description"].is_string())
    throw InvalidMember{child_pointer(p, "description"), "must be a string"};
  if (value.contains("default")) {
    const std::string dp = child_pointer(p, "default");
    if (slot.required) throw InvalidMember{dp, "a required value has no default"};
    if (missing(&value["default"])) throw InvalidMember{dp, "a default must be a value (not null or blank)"};
    if (const auto problem = type_problem(slot.type, value["default"]); !problem.empty())
      throw InvalidMember{dp, problem};
    slot.fallback = value["default"];
  }
  return node;
}

TemplateNode read_node(const json& value, const std::string& p) {
  TemplateNode node;
  node.pointer = p;
  if (value.is_object()) {
    if (value.contains("$from")) return read_placeholder(value, p);
    node.kind = TemplateNode::Kind::object;
    for (const auto& [key, member] : value.items()) {
      // A "$form" typo would otherwise be sent to the partner as a literal object.
      if (key.starts_with("$"))
        throw InvalidMember{child_pointer(p, key), "keys starting with $ are reserved (placeholder: $from)"};
      node.members.push_back({key, read_node(member, child_pointer(p, key))});
    }
  } else if (value.is_array()) {
    node.kind = TemplateNode::Kind::array;
    for (std::size_t i = 0; i < value.size(); ++i)
      node.elements.push_back(read_node(value[i], p + "/" + std::to_string(i)));
  } else {
    node.literal = value;
  }
  return node;
}

}  // namespace

struct OutboundTemplate::Spec {
  std::string name;
  TemplateNode root;
};

namespace {

class Renderer {
 public:
  Renderer(const std::string& name, const json& source) : name_(name), source_(source) {}

  // nullopt: the node is left out (a missing optional value, or a container emptied by omissions).
  std::expected<std::optional<json>, MappingError> render(const TemplateNode& node) const {
    switch (node.kind) {
      case TemplateNode::Kind::literal:
        return std::optional<json>{node.literal};
      case TemplateNode::Kind::placeholder:
        return fill(node);
      case TemplateNode::Kind::object: {
        json out = json::object();
        for (const auto& [key, member] : node.members) {
          auto value = render(member);
          if (!value) return std::unexpected(std::move(value.error()));
          if (*value) out[key] = std::move(**value);
        }
        if (out.empty() && !node.members.empty()) return std::optional<json>{};
        return std::optional<json>{std::move(out)};
      }
      case TemplateNode::Kind::array: {
        json out = json::array();
        for (const TemplateNode& element : node.elements) {
          auto value = render(element);
          if (!value) return std::unexpected(std::move(value.error()));
          if (*value) out.push_back(std::move(**value));
        }
        if (out.empty() && !node.elements.empty()) return std::optional<json>{};
        return std::optional<json>{std::move(out)};
      }
    }
    return std::optional<json>{};
  }

 private:
  std::expected<std::optional<json>, MappingError> fill(const TemplateNode& node) const {
    const Placeholder& slot = node.placeholder;
    const json* value = resolve(source_, slot.tokens);
    if (missing(value)) {
      if (slot.required) {
        return std::unexpected(MappingError{"value_missing", name_ + ":" + node.pointer,
                                            "required value missing at '" + slot.from + "'", slot.from});
      }
      return slot.fallback;
    }
    if (const auto problem = type_problem(slot.type, *value); !problem.empty()) {
      return std::unexpected(
          MappingError{"value_invalid", name_ + ":" + node.pointer, problem + " at '" + slot.from + "'", slot.from});
    }
    return std::optional<json>{*value};
  }

  const std::string& name_;
  const json& source_;
};

}  // namespace

std::expected<OutboundTemplate, MappingError> OutboundTemplate::load(const fs::path& file) {
  auto read = read_mapping_file(file);
  if (!read) return std::unexpected(read.error());
  const json& root = *read;
  try {
    if (!root.is_object()) throw InvalidMember{"", "must be an object"};
    for (const auto& [key, value] : root.items()) {
      if (key != "mapping" && key != "version" && key != "direction" && key != "description" && key != "template")
        throw InvalidMember{child_pointer("", key), "unknown member \"" + key + "\""};
    }
    auto spec = std::make_shared<Spec>();
    const auto name = root.find("mapping");
    if (name == root.end() || !name->is_string() || name->get<std::string>().empty())
      throw InvalidMember{"/mapping", "must be a non-empty string"};
    spec->name = name->get<std::string>();
    const std::string stem = file.stem().string();
    if (!spec->name.ends_with("/" + stem))
      throw InvalidMember{"/mapping", "name must end with \"/" + stem + "\" (the file name)"};
    if (!root.contains("version") || !root["version"].is_number_integer() || root["version"].get<int>() != 1)
      throw InvalidMember{"/version", "version must be 1"};
    // Explicit, so an inbound mapping dropped into the wrong loader is refused rather than misread.
    if (!root.contains("direction") || root["direction"] != "outbound")
      throw InvalidMember{"/direction", "must be \"outbound\""};
    if (root.contains("description") && !root["description"].is_string())
      throw InvalidMember{"/description", "must be a string"};
    if (!root.contains("template") || !root["template"].is_object() || root["template"].contains("$from"))
      throw InvalidMember{"/template", "must be an object (the message body)"};
    spec->root = read_node(root["template"], "/template");
    return OutboundTemplate(std::move(spec));
  } catch (const InvalidMember& invalid) {
    return std::unexpected(MappingError{"mapping_invalid", file.string() + "#" + invalid.pointer, invalid.message});
  }
}

std::expected<json, MappingError> OutboundTemplate::render(const json& source) const {
  auto rendered = Renderer(spec_->name, source).render(spec_->root);
  if (!rendered) return std::unexpected(std::move(rendered.error()));
  return *rendered ? std::move(**rendered) : json::object();
}

const std::string& OutboundTemplate::name() const {
  return spec_->name;
}

std::expected<std::map<std::string, OutboundTemplate>, MappingError> load_outbound_templates(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return std::unexpected(MappingError{"mapping_unreadable", dir.string(), "not a directory"});
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json" && is_outbound_template(entry.path())) {
      files.push_back(entry.path());
    }
  }
  if (ec) return std::unexpected(MappingError{"mapping_unreadable", dir.string(), ec.message()});
  std::sort(files.begin(), files.end());  // the same file fails first on every start
  std::map<std::string, OutboundTemplate> templates;
  for (const auto& file : files) {
    auto loaded = OutboundTemplate::load(file);
    if (!loaded) return std::unexpected(loaded.error());
    templates.emplace(file.stem().string(), std::move(*loaded));
  }
  return templates;
}

}  // namespace knutpunkt::mapping
