// Applies a compiled mapping to one partner reply. Everything read here is outside input: decoded
// payloads go through the same protected parsers as the reply itself, and any value that does
// not have the promised form fails the whole reply.
#include <algorithm>
#include <charconv>

#include "mapping/base64.h"
#include "mapping/mapping_spec.h"
#include "mapping/values.h"

namespace knutpunkt::mapping {
namespace {

using nlohmann::json;

// One thing a path starts from: a node of an XML payload or a value of a JSON payload.
struct Item {
  xmlNodePtr node = nullptr;
  JsonCursor json;
};

// A value as found in the payload, before conversion; "absent" when missing, null or blank.
struct Raw {
  std::optional<std::string> text;  // XML string value, or a JSON string
  const json* value = nullptr;      // a non-string JSON scalar
  bool absent() const { return !text && value == nullptr; }
};

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

Raw raw_from_text(std::optional<std::string> text) {
  if (!text) return {};
  std::string t = trimmed(*text);
  if (t.empty()) return {};
  return Raw{std::move(t), nullptr};
}

Raw raw_from_json(const json& value) {
  if (value.is_null()) return {};
  if (value.is_string()) return raw_from_text(value.get<std::string>());
  return Raw{std::nullopt, &value};
}

// The shortest text that reads back as the same double; for an amount written with at most 15
// significant digits that is exactly the text the partner wrote, so no rounding enters.
std::string shortest_text(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc{} ? std::string(buffer, end) : std::string("nan");
}

// GCC 12's std::expected has no transform().
template <typename T>
std::expected<json, std::string> as_json(std::expected<T, std::string> value) {
  if (!value) return std::unexpected(std::move(value.error()));
  return json(std::move(*value));
}

// A number as text, whether the payload wrote it as text (XML, JSON string) or as a JSON number;
// the decimal parsers then work on the text, never through floating point arithmetic.
std::optional<std::string> numeric_text(const Raw& raw) {
  if (raw.text) return *raw.text;
  if (raw.value != nullptr && raw.value->is_number_integer()) return raw.value->dump();
  if (raw.value != nullptr && raw.value->is_number_float()) return shortest_text(raw.value->get<double>());
  return std::nullopt;
}

std::expected<json, std::string> convert(const FieldSpec& field, const Raw& raw) {
  const json* v = raw.value;
  switch (field.type) {
    case ValueType::constant:
      return field.constant;
    case ValueType::string:
      if (raw.text) return json(*raw.text);
      if (v->is_number()) return json(v->dump());
      return std::unexpected("not a string");
    case ValueType::integer:
      if (raw.text) return as_json(values::integer(*raw.text));
      if (v->is_number_integer() && (!v->is_number_unsigned() || v->get<std::uint64_t>() <= INT64_MAX)) {
        return json(v->get<std::int64_t>());
      }
      return std::unexpected("not an integer");
    case ValueType::boolean:
      if (raw.text) return as_json(values::boolean(*raw.text));
      if (v->is_boolean()) return json(v->get<bool>());
      return std::unexpected("not a boolean");
    case ValueType::date:
      if (!raw.text) return std::unexpected("not a date");
      return as_json(field.compact_date ? values::date_compact(*raw.text) : values::date(*raw.text));
    case ValueType::datetime:
      if (!raw.text) return std::unexpected("not a date-time");
      return as_json(values::datetime(*raw.text));
    case ValueType::amount_sek: {
      auto text = numeric_text(raw);
      if (!text) return std::unexpected("not an amount");
      return as_json(values::amount_ore(*text));
    }
    case ValueType::decimal: {
      auto text = numeric_text(raw);
      if (!text) return std::unexpected("not a decimal number");
      return as_json(values::decimal(*text));
    }
    case ValueType::code:
      if (raw.text && std::ranges::find(field.codes, *raw.text) != field.codes.end()) return json(*raw.text);
      return std::unexpected("not one of the listed codes");
  }
  return std::unexpected("unknown type");
}

class Applier {
 public:
  Applier(const Mapping::Spec& spec, const ApplyLimits& limits) : spec_(spec), limits_(limits) {}

  std::expected<MappingResult, MappingError> run(const xml::Document& reply) {
    if (spec_.input != InputKind::xml_reply) {
      return fail("payload_kind", "/payload", "a JSON-input mapping cannot be applied to an XML reply");
    }
    MappingResult result;
    auto data = spec_.data->nodes(xml::XPath::document_node(reply), spec_.namespaces);
    if (!data) return fail("evaluation_failed", "/data", data.error().message);
    if (data->empty()) return result;
    if (data->size() > 1) return fail("data_ambiguous", "/data", "the data path selects more than one node");
    result.has_data = true;

    Item payload;
    if (!spec_.decode) {
      payload.node = data->front();
    } else if (auto decoded = decode(data->front()); !decoded) {
      return std::unexpected(decoded.error());
    } else {
      payload = *decoded;
    }
    if (auto recognised = recognise(payload); !recognised) return std::unexpected(recognised.error());
    result.deviations = std::move(schema_deviations_);
    return map(payload, std::move(result));
  }

  std::expected<MappingResult, MappingError> run(const json& message) {
    if (spec_.input != InputKind::json_message) {
      return fail("payload_kind", "/payload", "an XML mapping cannot be applied to a JSON message");
    }
    MappingResult result;
    result.has_data = true;
    Item payload;
    payload.json = {&message};
    if (auto recognised = recognise(payload); !recognised) return std::unexpected(recognised.error());
    // A member the partner never published is its business and is reported, never refused: only
    // what the mapping needs can fail the message.
    if (spec_.contract.vocabulary) result.deviations = spec_.contract.vocabulary->unknown_fields(message);
    return map(payload, std::move(result));
  }

 private:
  std::expected<MappingResult, MappingError> map(const Item& payload, MappingResult result) const {
    result.contract_version = spec_.contract.info.version;
    std::optional<std::string> message_occurred_at;
    if (spec_.occurred_at) {
      auto when = field_value(*spec_.occurred_at, payload, std::nullopt);
      if (!when) return std::unexpected(when.error());
      if (*when) message_occurred_at = (*when)->get<std::string>();
    }

    if (spec_.protected_identity) {
      auto flagged = protected_identity(*spec_.protected_identity, payload);
      if (!flagged) return std::unexpected(flagged.error());
      result.protected_identity = *flagged;
    }

    for (const EventSpec& event : spec_.events) {
      auto items = select(event.record.each, payload, event.record.pointer + "/each");
      if (!items) return std::unexpected(items.error());
      if (items->empty() && event.required) {
        return fail("value_missing", event.record.pointer + "/each", "no item at '" + event.record.each.text + "'",
                    container_field(event.record.each, payload));
      }
      for (std::size_t i = 0; i < items->size(); ++i) {
        MappedEvent mapped{event.type, message_occurred_at.value_or(""), json::object()};
        if (event.occurred_at) {
          auto when = field_value(*event.occurred_at, (*items)[i], i);
          if (!when) return std::unexpected(when.error());
          if (*when) mapped.occurred_at = (*when)->get<std::string>();
        }
        auto facts = record_facts(event.record, (*items)[i], i);
        if (!facts) return std::unexpected(facts.error());
        mapped.facts = std::move(*facts);
        result.events.push_back(std::move(mapped));
      }
    }

    if (spec_.deviations) {
      auto items = select(spec_.deviations->each, payload, spec_.deviations->pointer + "/each");
      if (!items) return std::unexpected(items.error());
      for (std::size_t i = 0; i < items->size(); ++i) {
        auto facts = record_facts(*spec_.deviations, (*items)[i], i);
        if (!facts) return std::unexpected(facts.error());
        facts->emplace("kind", "partner_reported");
        result.deviations.push_back(std::move(*facts));
      }
    }
    return result;
  }

  std::unexpected<MappingError> fail(std::string code, const std::string& pointer, std::string message,
                                     std::string field = {}) const {
    return std::unexpected(
        MappingError{std::move(code), spec_.name + ":" + pointer, std::move(message), std::move(field)});
  }

  // Where a failing value was: " (item N)" for a value of a selected item, nothing for one of the
  // message. Written only on failure, as the fields of every item are read on the hot path.
  static std::string item_text(std::optional<std::size_t> index) {
    return index ? " (item " + std::to_string(*index) + ")" : std::string();
  }

  // The message pointer of a value a field path names from an item. Only JSON messages get one:
  // a pointer into a decoded payload would mean nothing to whoever sent the reply around it.
  std::string message_field(const PathSpec& path, const Item& item) const {
    if (spec_.input != InputKind::json_message || !path.json) return {};
    return path.json->pointer_from(item.json);
  }

  // For an "each" that selected nothing: the container where items were expected.
  std::string container_field(const PathSpec& path, const Item& item) const {
    std::string pointer = message_field(path, item);
    while (pointer.ends_with("/*")) pointer.resize(pointer.size() - 2);
    return pointer;
  }

  std::expected<Item, MappingError> decode(xmlNodePtr data) {
    const DecodeSpec& d = *spec_.decode;
    auto text = d.xpath.string(data, spec_.namespaces);
    if (!text) return fail("evaluation_failed", d.pointer + "/xpath", text.error().message);
    if (!*text || trimmed(**text).empty()) {
      return fail("value_missing", d.pointer + "/xpath", "no payload at '" + d.xpath.expression() + "'");
    }
    std::string bytes;
    if (d.as == Decoding::base64_json || d.as == Decoding::base64_xml) {
      auto decoded = decode_base64(**text, limits_.max_decoded_bytes);
      if (!decoded) {
        return fail(decoded.error().code == "too_large" ? "too_large" : "payload_malformed", d.pointer,
                    decoded.error().message);
      }
      bytes = std::move(*decoded);
    } else {
      if ((*text)->size() > limits_.max_decoded_bytes)
        return fail("too_large", d.pointer, "payload exceeds the size limit");
      bytes = std::move(**text);
    }

    Item item;
    if (d.as == Decoding::base64_json || d.as == Decoding::json_text) {
      if (json_nesting_depth(bytes) > limits_.max_json_depth)
        return fail("payload_malformed", d.pointer, "JSON nested too deeply");
      json_ = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
      if (json_.is_discarded()) return fail("payload_malformed", d.pointer, "payload is not valid JSON");
      item.json = {&json_};
      return item;
    }
    auto doc = d.as == Decoding::xml_text
                   ? xml::Document::parse_text(bytes, xml::ParseLimits{limits_.max_decoded_bytes})
                   : xml::Document::parse(bytes, xml::ParseLimits{limits_.max_decoded_bytes});
    if (!doc) {
      // Only the code: libxml2's message quotes the payload, in whatever bytes it came (not always
      // UTF-8, which the audit record's canonical JSON refuses), and messages quote no partner values.
      return fail(doc.error().code == "too_large" ? "too_large" : "payload_malformed", d.pointer,
                  "the decoded payload is not well-formed XML (" + doc.error().code + ")");
    }
    decoded_ = std::move(*doc);
    // The published schema says what the partner promised, not what the mapping needs: a
    // departure is reported, and only a value the mapping requires can fail the reply.
    if (d.schema) {
      for (const auto& finding : d.schema->findings(*decoded_)) {
        schema_deviations_.push_back({{"kind", finding.kind},
                                      {"path", d.xpath.expression() + xml::element_path(finding.node)},
                                      {"detail", finding.detail}});
      }
    }
    item.node = xml::XPath::document_node(*decoded_);
    return item;
  }

  std::expected<std::vector<Item>, MappingError> select(const PathSpec& path, const Item& from,
                                                        const std::string& pointer) const {
    std::vector<Item> items;
    if (path.xpath) {
      auto nodes = path.xpath->nodes(from.node, spec_.namespaces);
      if (!nodes) return fail("evaluation_failed", pointer, nodes.error().message);
      for (xmlNodePtr node : *nodes) items.push_back(Item{node, {}});
    } else {
      for (auto& cursor : path.json->select(from.json)) items.push_back(Item{nullptr, std::move(cursor)});
    }
    return items;
  }

  std::expected<Raw, MappingError> raw_value(const FieldSpec& field, const Item& item) const {
    const PathSpec& path = *field.path;
    if (path.xpath) {
      auto text = path.xpath->string(item.node, spec_.namespaces);
      if (!text) return fail("evaluation_failed", field.pointer + "/path", text.error().message);
      return raw_from_text(std::move(*text));
    }
    const auto found = path.json->select(item.json);
    if (found.empty()) return Raw{};
    return raw_from_json(*found.front().back());
  }

  // nullopt: an optional value that is absent.
  std::expected<std::optional<json>, MappingError> field_value(const FieldSpec& field, const Item& item,
                                                               std::optional<std::size_t> index) const {
    Raw raw;
    if (field.type != ValueType::constant) {
      auto found = raw_value(field, item);
      if (!found) return std::unexpected(found.error());
      raw = std::move(*found);
      if (raw.absent()) {
        if (field.required) {
          return fail("value_missing", field.pointer + item_text(index),
                      "required value missing at '" + field.path->text + "'", message_field(*field.path, item));
        }
        return std::optional<json>{};
      }
      auto converted = convert(field, raw);
      if (!converted) {
        return fail("value_invalid", field.pointer + item_text(index),
                    converted.error() + " at '" + field.path->text + "'", message_field(*field.path, item));
      }
      return std::optional<json>{std::move(*converted)};
    }
    return std::optional<json>{field.constant};
  }

  std::expected<json, MappingError> record_facts(const RecordSpec& record, const Item& item, std::size_t index) const {
    json facts = json::object();
    for (const auto& [name, field] : record.facts) {
      auto value = field_value(field, item, index);
      if (!value) return std::unexpected(value.error());
      if (*value) facts[name] = std::move(**value);
    }
    return facts;
  }

  // A mapping that names how its contract version is recognised reads nothing else, so that a
  // partner answering in several versions is read by the mapping written for each.
  std::expected<void, MappingError> recognise(const Item& payload) const {
    const auto& test = spec_.contract.recognised_by;
    if (!test) return {};
    auto recognised = protected_identity(*test, payload);
    if (!recognised) return std::unexpected(recognised.error());
    if (*recognised) return {};
    std::string seen = "a JSON message";
    if (payload.node != nullptr) {
      // The document the payload holds: a decoded document's root, or the data element's first child.
      xmlNodePtr root = payload.node->type == XML_DOCUMENT_NODE ? xmlDocGetRootElement(payload.node->doc)
                                                                : xmlFirstElementChild(payload.node);
      seen = root == nullptr ? "an empty payload" : "{" + xml::namespace_uri(root) + "}" + xml::local_name(root);
    }
    return fail("contract_version_mismatch", test->pointer,
                seen + " is not " + spec_.contract.info.name + " " + spec_.contract.info.version);
  }

  std::expected<bool, MappingError> protected_identity(const ProtectedSpec& spec, const Item& payload) const {
    if (spec.xpath) {
      auto flagged = spec.xpath->boolean(payload.node, spec_.namespaces);
      if (!flagged) return fail("evaluation_failed", spec.pointer + "/xpath", flagged.error().message);
      return *flagged;
    }
    const FieldSpec& field = *spec.field;
    auto items = select(*field.path, payload, spec.pointer + "/path");
    if (!items) return std::unexpected(items.error());
    for (const Item& item : *items) {
      const Raw raw = item.node != nullptr ? raw_from_text(xml::text(item.node)) : raw_from_json(*item.json.back());
      if (raw.absent()) continue;
      auto converted = convert(field, raw);
      // A flag we cannot read is not "unprotected": fail rather than guess (skyddade personuppgifter).
      if (!converted) {
        return fail("value_invalid", spec.pointer, converted.error() + " at '" + field.path->text + "'",
                    spec_.input == InputKind::json_message ? json_pointer(item.json) : std::string());
      }
      if (*converted == spec.equals) return true;
    }
    return false;
  }

  const Mapping::Spec& spec_;
  const ApplyLimits& limits_;
  json json_;                             // a decoded JSON payload, alive while items point into it
  std::optional<xml::Document> decoded_;  // a decoded XML payload, likewise
  std::vector<json> schema_deviations_;   // where the decoded payload departs from its schema
};

}  // namespace

std::expected<MappingResult, MappingError> Mapping::apply(const xml::Document& reply, const ApplyLimits& limits) const {
  return Applier(*spec_, limits).run(reply);
}

std::expected<MappingResult, MappingError> Mapping::apply(const nlohmann::json& message,
                                                          const ApplyLimits& limits) const {
  return Applier(*spec_, limits).run(message);
}

std::size_t json_nesting_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace knutpunkt::mapping
