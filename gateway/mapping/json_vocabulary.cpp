// Compiles a JSON Schema into the member names it gives each place of a message, once when the
// mapping loads, so checking a message is one walk over the message and nothing else.
#include "mapping/json_vocabulary.h"

#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "mapping/invalid_member.h"
#include "mapping/json_path.h"

namespace knutpunkt::mapping {

using nlohmann::json;

struct JsonVocabulary::Compiled {
  // One place in a message, with what the schema says of it: the union of every subschema that
  // applies there (through $ref, allOf/anyOf/oneOf and then/else).
  struct Node {
    bool lists_members = false;   // "properties" (or "additionalProperties": false): others are unknown
    bool others_allowed = false;  // "additionalProperties": true or "patternProperties": others are named
    std::map<std::string, std::size_t, std::less<>> members;
    std::optional<std::size_t> others;  // "additionalProperties" as a schema: what the others are
    std::optional<std::size_t> items;
    bool says_nothing() const { return !lists_members && !others && !items; }
  };
  std::string label;
  std::string detail;
  std::vector<Node> nodes;  // nodes[0]: the message root
};

using Node = JsonVocabulary::Compiled::Node;

namespace {

// A schema is our own configuration, but a pathological one (a union of unions of unions) could
// still make the compiled form explode; no real contract comes near this.
constexpr std::size_t kMaxNodes = 10000;
// Deeper than any message a caller parses (the partners' depth limits are 16 to 64).
constexpr std::size_t kMaxDepth = 256;

std::optional<std::string> unescape(std::string_view token) {
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] != '~') {
      out += token[i];
    } else if (i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[++i] == '0' ? '~' : '/';
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// The value a JSON Pointer reaches in `root`, or nullptr.
const json* at(const json& root, std::string_view pointer) {
  const json* node = &root;
  while (!pointer.empty()) {
    if (pointer.front() != '/') return nullptr;
    pointer.remove_prefix(1);
    const auto end = pointer.find('/');
    const auto token = unescape(pointer.substr(0, end));
    pointer.remove_prefix(end == std::string_view::npos ? pointer.size() : end);
    if (!token) return nullptr;
    if (node->is_object()) {
      const auto found = node->find(*token);
      if (found == node->end()) return nullptr;
      node = &*found;
    } else if (node->is_array()) {
      if (token->empty() || token->find_first_not_of("0123456789") != std::string::npos || token->size() > 9)
        return nullptr;
      const std::size_t index = std::stoul(*token);
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

class Compiler {
 public:
  explicit Compiler(const json& root) : root_(root) {}

  std::vector<Node> run() {
    node_for({""});
    while (!pending_.empty()) {
      auto [id, locations] = std::move(pending_.back());
      pending_.pop_back();
      build(id, locations);
    }
    return std::move(nodes_);
  }

 private:
  using Locations = std::vector<std::string>;  // schema pointers, sorted and distinct

  // Every object schema that applies where `location` applies, `location` included.
  void flatten(const std::string& location, std::set<std::string>& out) const {
    const json* schema = at(root_, location);
    if (schema == nullptr || !schema->is_object() || !out.insert(location).second) return;
    if (const auto ref = schema->find("$ref"); ref != schema->end()) {
      const std::string pointer = location + "/$ref";
      if (!ref->is_string() || !ref->get_ref<const std::string&>().starts_with('#')) {
        throw InvalidMember{pointer, "only references within the schema (#/…) are followed"};
      }
      const std::string target = ref->get<std::string>().substr(1);
      if (at(root_, target) == nullptr) throw InvalidMember{pointer, "names nothing in the schema"};
      flatten(target, out);
    }
    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
      const auto list = schema->find(key);
      if (list == schema->end() || !list->is_array()) continue;
      for (std::size_t i = 0; i < list->size(); ++i) flatten(location + "/" + key + "/" + std::to_string(i), out);
    }
    // A condition's branches name members too (a report's extra object per report type): which
    // branch holds is validation, not vocabulary, so both count.
    for (const char* key : {"then", "else"}) {
      if (schema->contains(key)) flatten(location + "/" + key, out);
    }
    if (const auto dependent = schema->find("dependentSchemas"); dependent != schema->end() && dependent->is_object()) {
      for (const auto& [name, _] : dependent->items())
        flatten(location + "/dependentSchemas/" + pointer_token(name), out);
    }
  }

  std::size_t node_for(const Locations& locations) {
    std::set<std::string> flat;
    for (const auto& location : locations) flatten(location, flat);
    Locations key(flat.begin(), flat.end());
    if (const auto known = index_.find(key); known != index_.end()) return known->second;
    if (nodes_.size() >= kMaxNodes) throw InvalidMember{"", "too many distinct combinations of subschemas"};
    const std::size_t id = nodes_.size();
    nodes_.emplace_back();
    index_.emplace(key, id);
    pending_.emplace_back(id, std::move(key));
    return id;
  }

  void build(std::size_t id, const Locations& locations) {
    Node node;
    std::map<std::string, Locations> members;
    Locations others;
    Locations items;
    for (const auto& location : locations) {
      const json& schema = *at(root_, location);
      if (const auto properties = schema.find("properties"); properties != schema.end() && properties->is_object()) {
        node.lists_members = true;
        for (const auto& [name, _] : properties->items()) {
          members[name].push_back(location + "/properties/" + pointer_token(name));
        }
      }
      for (const char* key : {"additionalProperties", "unevaluatedProperties"}) {
        const auto rest = schema.find(key);
        if (rest == schema.end()) continue;
        if (rest->is_boolean() && rest->get<bool>()) {
          node.others_allowed = true;
        } else if (rest->is_boolean()) {
          node.lists_members = true;
        } else if (rest->is_object()) {
          others.push_back(location + "/" + key);
        }
      }
      // Matching member names against the patterns would run a regex engine over names a partner
      // chose; the schema does describe such members, so they are not reported.
      if (const auto patterns = schema.find("patternProperties");
          patterns != schema.end() && patterns->is_object() && !patterns->empty()) {
        node.others_allowed = true;
      }
      if (const auto item = schema.find("items"); item != schema.end()) {
        if (item->is_object()) items.push_back(location + "/items");
        if (item->is_array()) {
          for (std::size_t i = 0; i < item->size(); ++i) items.push_back(location + "/items/" + std::to_string(i));
        }
      }
      if (const auto prefix = schema.find("prefixItems"); prefix != schema.end() && prefix->is_array()) {
        for (std::size_t i = 0; i < prefix->size(); ++i)
          items.push_back(location + "/prefixItems/" + std::to_string(i));
      }
    }
    for (const auto& [name, where] : members) node.members.emplace(name, node_for(where));
    if (!others.empty()) node.others = node_for(others);
    if (!items.empty()) node.items = node_for(items);
    nodes_[id] = std::move(node);
  }

  const json& root_;
  std::vector<Node> nodes_;
  std::map<Locations, std::size_t> index_;
  std::vector<std::pair<std::size_t, Locations>> pending_;
};

class Walk {
 public:
  Walk(const JsonVocabulary::Compiled& compiled, std::size_t limit) : compiled_(compiled), limit_(limit) {}

  void visit(const json& value, std::size_t node_id, std::size_t depth) {
    const Node& node = compiled_.nodes[node_id];
    if (node.says_nothing() || depth > kMaxDepth) return;
    if (value.is_object()) {
      for (const auto& [key, member] : value.items()) {
        if (found_.size() >= limit_) return;
        const std::size_t mark = pointer_.size();
        pointer_ += '/';
        pointer_ += pointer_token(key);
        if (const auto named = node.members.find(key); named != node.members.end()) {
          visit(member, named->second, depth + 1);
        } else if (node.others) {
          visit(member, *node.others, depth + 1);
        } else if (node.lists_members && !node.others_allowed) {
          found_.push_back({{"kind", "unknown_field"}, {"path", pointer_}, {"detail", compiled_.detail}});
        }
        pointer_.resize(mark);
      }
    } else if (value.is_array() && node.items) {
      for (std::size_t i = 0; i < value.size() && found_.size() < limit_; ++i) {
        const std::size_t mark = pointer_.size();
        pointer_ += '/';
        pointer_ += std::to_string(i);
        visit(value[i], *node.items, depth + 1);
        pointer_.resize(mark);
      }
    }
  }

  std::vector<json> take() { return std::move(found_); }

 private:
  const JsonVocabulary::Compiled& compiled_;
  std::size_t limit_;
  std::string pointer_;
  std::vector<json> found_;
};

}  // namespace

std::expected<JsonVocabulary, std::string> JsonVocabulary::compile(const json& schema, std::string label) {
  auto compiled = std::make_shared<Compiled>();
  compiled->detail = "not in " + label;
  compiled->label = std::move(label);
  try {
    compiled->nodes = Compiler(schema).run();
  } catch (const InvalidMember& invalid) {
    return std::unexpected(compiled->label + "#" + invalid.pointer + ": " + invalid.message);
  }
  return JsonVocabulary(std::move(compiled));
}

std::vector<json> JsonVocabulary::unknown_fields(const json& message, std::size_t limit) const {
  Walk walk(*compiled_, limit);
  walk.visit(message, 0, 0);
  return walk.take();
}

const std::string& JsonVocabulary::label() const {
  return compiled_->label;
}

std::filesystem::path published_schema_dir(const std::filesystem::path& mapping_dir) {
  std::filesystem::path dir = mapping_dir.lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();  // "mappings/jobbtorg/"
  return (dir / ".." / ".." / "schemas" / dir.filename()).lexically_normal();
}

}  // namespace knutpunkt::mapping
