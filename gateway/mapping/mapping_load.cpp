// Reads and checks a mapping file completely, so that every mistake surfaces at start-up with the
// file and the JSON pointer of the offending member (style: "an invalid config stops start-up
// with a message naming the field").
#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "mapping/invalid_member.h"
#include "mapping/mapping_spec.h"

namespace knutpunkt::mapping {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::regex kEventType(R"([a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)");
const std::regex kFactName(R"([a-z][a-z0-9_]*)");

class SpecReader {
 public:
  explicit SpecReader(fs::path schema_dir) : schema_dir_(std::move(schema_dir)) {}

  std::shared_ptr<Mapping::Spec> read(const json& root, const std::string& stem) {
    auto spec = std::make_shared<Mapping::Spec>();
    const std::string p;
    require_object(root, p);
    only_keys(root, p,
              {"mapping", "version", "description", "direction", "payload", "namespaces", "data", "decode",
               "occurred_at", "protected_identity", "events", "deviations", "contract"});
    spec->name = require_string(root, p, "mapping");
    if (!spec->name.ends_with("/" + stem)) {
      throw InvalidMember{child_pointer(p, "mapping"), "name must end with \"/" + stem + "\" (the file name)"};
    }
    if (!root.contains("version") || !root["version"].is_number_integer() || root["version"].get<int>() != 1) {
      throw InvalidMember{child_pointer(p, "version"), "version must be 1"};
    }
    if (root.contains("description")) require_string(root, p, "description");
    if (root.contains("direction") && require_string(root, p, "direction") != "inbound") {
      throw InvalidMember{child_pointer(p, "direction"),
                          "an inbound mapping says \"inbound\" (outbound templates: OutboundTemplate)"};
    }
    if (root.contains("payload")) {
      const std::string payload = require_string(root, p, "payload");
      if (payload != "json" && payload != "xml")
        throw InvalidMember{child_pointer(p, "payload"), "must be json or xml"};
      if (payload == "json") spec->input = InputKind::json_message;
    }
    if (spec->input == InputKind::json_message) {
      // A JSON message is its own payload: there is no XML around it to select or decode.
      for (const char* key : {"namespaces", "data", "decode"}) {
        if (root.contains(key))
          throw InvalidMember{child_pointer(p, key), std::string("a JSON-input mapping has no ") + key};
      }
    }

    if (root.contains("namespaces")) {
      const auto& ns = root["namespaces"];
      const std::string np = child_pointer(p, "namespaces");
      require_object(ns, np);
      for (const auto& [prefix, uri] : ns.items()) {
        if (!std::regex_match(prefix, std::regex(R"([A-Za-z_][A-Za-z0-9_.-]*)")) || prefix.starts_with("xml")) {
          throw InvalidMember{child_pointer(np, prefix), "not a usable namespace prefix"};
        }
        if (!uri.is_string() || uri.get<std::string>().empty())
          throw InvalidMember{child_pointer(np, prefix), "must be a namespace URI"};
        spec->namespaces.emplace_back(prefix, uri.get<std::string>());
      }
    }
    namespaces_ = &spec->namespaces;

    if (spec->input == InputKind::xml_reply) {
      spec->data = xpath(require_string(root, p, "data"), child_pointer(p, "data"));
      if (root.contains("decode")) spec->decode = read_decode(root["decode"], child_pointer(p, "decode"));
    }
    spec->kind =
        spec->input == InputKind::json_message ||
                (spec->decode && (spec->decode->as == Decoding::base64_json || spec->decode->as == Decoding::json_text))
            ? PayloadKind::json
            : PayloadKind::xml;
    kind_ = spec->kind;

    if (root.contains("occurred_at"))
      spec->occurred_at = read_occurred_at(root["occurred_at"], child_pointer(p, "occurred_at"));

    if (root.contains("protected_identity")) {
      spec->protected_identity = read_protected(root["protected_identity"], child_pointer(p, "protected_identity"));
    }
    if (root.contains("contract")) spec->contract = read_contract(root["contract"], child_pointer(p, "contract"));
    if (spec->contract.vocabulary && spec->input != InputKind::json_message) {
      throw InvalidMember{child_pointer(child_pointer(p, "contract"), "schema"),
                          "a JSON Schema is for a JSON-input mapping (a decoded XML payload has decode.schema)"};
    }

    const std::string ep = child_pointer(p, "events");
    if (!root.contains("events") || !root["events"].is_array()) throw InvalidMember{ep, "events must be an array"};
    for (std::size_t i = 0; i < root["events"].size(); ++i)
      spec->events.push_back(read_event(root["events"][i], child_pointer(ep, i)));

    if (root.contains("deviations")) {
      const std::string dp = child_pointer(p, "deviations");
      require_object(root["deviations"], dp);
      only_keys(root["deviations"], dp, {"each", "facts", "description"});
      spec->deviations = read_record(root["deviations"], dp);
    }
    return spec;
  }

 private:
  static void require_object(const json& value, const std::string& pointer) {
    if (!value.is_object()) throw InvalidMember{pointer, "must be an object"};
  }

  static void only_keys(const json& object, const std::string& pointer,
                        std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        throw InvalidMember{child_pointer(pointer, key), "unknown member \"" + key + "\""};
      }
    }
  }

  static std::string require_string(const json& object, const std::string& pointer, const std::string& key) {
    const auto found = object.find(key);
    if (found == object.end()) throw InvalidMember{child_pointer(pointer, key), "missing"};
    if (!found->is_string() || found->get<std::string>().empty())
      throw InvalidMember{child_pointer(pointer, key), "must be a non-empty string"};
    return found->get<std::string>();
  }

  xml::XPath xpath(const std::string& text, const std::string& pointer) const {
    auto compiled = xml::XPath::compile(text);
    if (!compiled) throw InvalidMember{pointer, compiled.error().message};
    if (auto checked = compiled->check_prefixes(*namespaces_); !checked)
      throw InvalidMember{pointer, checked.error().message};
    return std::move(*compiled);
  }

  PathSpec path(const std::string& text, const std::string& pointer, bool many_allowed) const {
    PathSpec spec{text, std::nullopt, std::nullopt};
    if (kind_ == PayloadKind::xml) {
      spec.xpath = xpath(text, pointer);
    } else {
      auto compiled = JsonPath::compile(text);
      if (!compiled) throw InvalidMember{pointer, compiled.error()};
      if (compiled->selects_many() && !many_allowed)
        throw InvalidMember{pointer, "a field path must reach a single value (no *)"};
      spec.json = std::move(*compiled);
    }
    return spec;
  }

  DecodeSpec read_decode(const json& value, const std::string& p) const {
    require_object(value, p);
    only_keys(value, p, {"xpath", "as", "schema", "description"});
    static const std::map<std::string, Decoding> kinds = {{"base64-json", Decoding::base64_json},
                                                          {"base64-xml", Decoding::base64_xml},
                                                          {"xml-text", Decoding::xml_text},
                                                          {"json-text", Decoding::json_text}};
    const std::string as = require_string(value, p, "as");
    const auto kind = kinds.find(as);
    if (kind == kinds.end())
      throw InvalidMember{child_pointer(p, "as"), "must be base64-json, base64-xml, xml-text or json-text"};
    DecodeSpec spec{p, kind->second, xpath(require_string(value, p, "xpath"), child_pointer(p, "xpath")), std::nullopt};
    if (value.contains("schema")) {
      const std::string sp = child_pointer(p, "schema");
      if (spec.as != Decoding::base64_xml && spec.as != Decoding::xml_text) {
        throw InvalidMember{sp, "a schema applies only to decoded XML"};
      }
      const fs::path relative = require_string(value, p, "schema");
      if (relative.is_absolute() || std::ranges::any_of(relative, [](const fs::path& part) { return part == ".."; })) {
        throw InvalidMember{sp, "must be a path inside the schema directory"};
      }
      auto schema = xml::Schema::load(schema_dir_ / relative);
      if (!schema) throw InvalidMember{sp, schema.error().message};
      spec.schema = std::move(*schema);
    }
    return spec;
  }

  ContractSpec read_contract(const json& value, const std::string& p) const {
    require_object(value, p);
    only_keys(value, p, {"name", "version", "recognised_by", "retires_on", "schema", "description"});
    ContractSpec contract;
    contract.info.name = require_string(value, p, "name");
    contract.info.version = require_string(value, p, "version");
    if (value.contains("description")) require_string(value, p, "description");
    if (value.contains("retires_on")) {
      contract.info.retires_on = require_string(value, p, "retires_on");
      static const std::regex date(R"(\d{4}-\d{2}-\d{2})");
      if (!std::regex_match(contract.info.retires_on, date))
        throw InvalidMember{child_pointer(p, "retires_on"), "must be YYYY-MM-DD"};
    }
    if (value.contains("recognised_by"))
      contract.recognised_by = read_protected(value["recognised_by"], child_pointer(p, "recognised_by"));
    if (value.contains("schema")) contract.vocabulary = read_vocabulary(value, p);
    return contract;
  }

  // Parsed and compiled here, once: a schema that cannot be read stops start-up like any other
  // mistake in the mapping, instead of surfacing on the first reply.
  JsonVocabulary read_vocabulary(const json& contract, const std::string& p) const {
    const std::string sp = child_pointer(p, "schema");
    const fs::path relative = require_string(contract, p, "schema");
    if (relative.is_absolute() || std::ranges::any_of(relative, [](const fs::path& part) { return part == ".."; })) {
      throw InvalidMember{sp, "must be a path inside the schema directory"};
    }
    auto schema = read_mapping_file(schema_dir_ / relative);
    if (!schema) throw InvalidMember{sp, relative.string() + ": " + schema.error().message};
    auto vocabulary = JsonVocabulary::compile(*schema, relative.string());
    if (!vocabulary) throw InvalidMember{sp, vocabulary.error()};
    return std::move(*vocabulary);
  }

  // {"list": "<file in the schema directory>", "name": "<list>"}: the codes of the list `name` of
  // that file's "lists", each {"code", ...}. Read once, at load, like a contract schema.
  json code_list(const json& reference, const std::string& p) const {
    only_keys(reference, p, {"list", "name"});
    const fs::path relative = require_string(reference, p, "list");
    const std::string name = require_string(reference, p, "name");
    if (relative.is_absolute() || std::ranges::any_of(relative, [](const fs::path& part) { return part == ".."; })) {
      throw InvalidMember{child_pointer(p, "list"), "must be a path inside the schema directory"};
    }
    auto file = read_mapping_file(schema_dir_ / relative);
    if (!file) throw InvalidMember{child_pointer(p, "list"), relative.string() + ": " + file.error().message};
    const json* list = nullptr;
    if (file->is_object() && file->contains("lists") && (*file)["lists"].is_object() &&
        (*file)["lists"].contains(name)) {
      list = &(*file)["lists"][name];
    }
    if (list == nullptr || !list->is_object() || !list->contains("codes") || !(*list)["codes"].is_array()) {
      throw InvalidMember{child_pointer(p, "name"), "names no list with codes in " + relative.string()};
    }
    json codes = json::array();
    for (const json& entry : (*list)["codes"]) {
      codes.push_back(entry.is_object() && entry.contains("code") ? entry["code"] : json());
    }
    return codes;
  }

  ProtectedSpec read_protected(const json& value, const std::string& p) const {
    require_object(value, p);
    only_keys(value, p, {"xpath", "path", "type", "equals", "description"});
    ProtectedSpec spec{p, std::nullopt, std::nullopt, nullptr};
    if (value.contains("xpath")) {
      if (value.contains("path") || value.contains("equals") || value.contains("type")) {
        throw InvalidMember{p, "use either xpath, or path with equals"};
      }
      if (kind_ != PayloadKind::xml) throw InvalidMember{child_pointer(p, "xpath"), "xpath needs an XML payload"};
      spec.xpath = xpath(require_string(value, p, "xpath"), child_pointer(p, "xpath"));
      return spec;
    }
    if (!value.contains("equals")) throw InvalidMember{child_pointer(p, "equals"), "missing"};
    spec.equals = value["equals"];
    FieldSpec field;
    field.pointer = p;
    field.path = path(require_string(value, p, "path"), child_pointer(p, "path"), true);
    field.type = value.contains("type") ? value_type(value["type"], child_pointer(p, "type")) : ValueType::boolean;
    if (field.type == ValueType::constant || field.type == ValueType::code) {
      throw InvalidMember{child_pointer(p, "type"), "constant and code make no sense here"};
    }
    spec.field = std::move(field);
    return spec;
  }

  static ValueType value_type(const json& value, const std::string& pointer) {
    static const std::map<std::string, ValueType> types = {
        {"string", ValueType::string},   {"integer", ValueType::integer},   {"boolean", ValueType::boolean},
        {"date", ValueType::date},       {"datetime", ValueType::datetime}, {"amount_sek", ValueType::amount_sek},
        {"decimal", ValueType::decimal}, {"code", ValueType::code},         {"constant", ValueType::constant}};
    const auto found = value.is_string() ? types.find(value.get<std::string>()) : types.end();
    if (found == types.end()) {
      throw InvalidMember{
          pointer, "must be one of string, integer, boolean, date, datetime, amount_sek, decimal, code, constant"};
    }
    return found->second;
  }

  FieldSpec read_field(const json& value, const std::string& p) const {
    require_object(value, p);
    only_keys(value, p, {"path", "type", "required", "format", "value", "codes", "description"});
    FieldSpec field;
    field.pointer = p;
    if (!value.contains("type")) throw InvalidMember{child_pointer(p, "type"), "missing"};
    field.type = value_type(value["type"], child_pointer(p, "type"));
    if (value.contains("required")) {
      if (!value["required"].is_boolean()) throw InvalidMember{child_pointer(p, "required"), "must be true or false"};
      field.required = value["required"].get<bool>();
    }
    if (field.type == ValueType::constant) {
      if (!value.contains("value")) throw InvalidMember{child_pointer(p, "value"), "a constant needs a value"};
      if (value.contains("path")) throw InvalidMember{child_pointer(p, "path"), "a constant has no path"};
      field.constant = value["value"];
    } else {
      if (value.contains("value")) throw InvalidMember{child_pointer(p, "value"), "only a constant has a value"};
      field.path = path(require_string(value, p, "path"), child_pointer(p, "path"), false);
    }
    if (value.contains("format")) {
      if (field.type != ValueType::date) throw InvalidMember{child_pointer(p, "format"), "only a date has a format"};
      const std::string format = require_string(value, p, "format");
      if (format != "YYYY-MM-DD" && format != "YYYYMMDD")
        throw InvalidMember{child_pointer(p, "format"), "must be YYYY-MM-DD or YYYYMMDD"};
      field.compact_date = format == "YYYYMMDD";
    }
    const std::string cp = child_pointer(p, "codes");
    if (field.type == ValueType::code) {
      // A code list kept in the schema directory beside the partner's schemas, named from here,
      // so the mapping and the published list cannot drift apart.
      const json codes = value.contains("codes") && value["codes"].is_object() ? code_list(value["codes"], cp)
                                                                               : value.value("codes", json());
      if (!codes.is_array() || codes.empty()) {
        throw InvalidMember{cp, "a code needs a non-empty array of codes, or {\"list\", \"name\"} of a code list"};
      }
      for (std::size_t i = 0; i < codes.size(); ++i) {
        const json& code = codes[i];
        // Compared with the trimmed value, so a code with blanks around it could never match.
        if (!code.is_string() || code.get<std::string>().empty() ||
            code.get<std::string>().find_first_of(" \t\r\n") != std::string::npos) {
          throw InvalidMember{child_pointer(cp, i), "a code is a non-empty string without blanks"};
        }
        if (std::ranges::find(field.codes, code.get<std::string>()) != field.codes.end())
          throw InvalidMember{child_pointer(cp, i), "listed twice"};
        field.codes.push_back(code.get<std::string>());
      }
    } else if (value.contains("codes")) {
      throw InvalidMember{cp, "only a code has codes"};
    }
    return field;
  }

  RecordSpec read_record(const json& value, const std::string& p) const {
    RecordSpec record{p, path(require_string(value, p, "each"), child_pointer(p, "each"), true), {}};
    const std::string fp = child_pointer(p, "facts");
    if (!value.contains("facts")) throw InvalidMember{fp, "missing"};
    require_object(value["facts"], fp);
    if (value["facts"].empty()) throw InvalidMember{fp, "needs at least one fact"};
    for (const auto& [name, field] : value["facts"].items()) {
      if (!std::regex_match(name, kFactName)) throw InvalidMember{child_pointer(fp, name), "fact names are snake_case"};
      record.facts.emplace_back(name, read_field(field, child_pointer(fp, name)));
    }
    return record;
  }

  EventSpec read_event(const json& value, const std::string& p) const {
    require_object(value, p);
    only_keys(value, p, {"type", "each", "required", "occurred_at", "facts", "description"});
    EventSpec event;
    event.type = require_string(value, p, "type");
    if (value.contains("required")) {
      if (!value["required"].is_boolean()) throw InvalidMember{child_pointer(p, "required"), "must be true or false"};
      event.required = value["required"].get<bool>();
    }
    if (!std::regex_match(event.type, kEventType)) {
      throw InvalidMember{child_pointer(p, "type"), "event types are dotted snake_case, e.g. benefit.payment"};
    }
    event.record = read_record(value, p);
    if (value.contains("occurred_at"))
      event.occurred_at = read_occurred_at(value["occurred_at"], child_pointer(p, "occurred_at"));
    return event;
  }

  FieldSpec read_occurred_at(const json& value, const std::string& p) const {
    FieldSpec field = read_field(value, p);
    if (field.type != ValueType::date && field.type != ValueType::datetime) {
      throw InvalidMember{child_pointer(p, "type"), "occurred_at is a date or a datetime"};
    }
    return field;
  }

  fs::path schema_dir_;
  const xml::Namespaces* namespaces_ = nullptr;
  PayloadKind kind_ = PayloadKind::xml;
};

}  // namespace

std::expected<json, MappingError> read_mapping_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::unexpected(MappingError{"mapping_unreadable", file.string(), "cannot open the file"});
  std::stringstream buffer;
  buffer << in.rdbuf();
  json root = json::parse(buffer.str(), nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/false);
  if (root.is_discarded()) return std::unexpected(MappingError{"mapping_unreadable", file.string(), "not valid JSON"});
  return root;
}

bool is_outbound_template(const fs::path& file) {
  const auto root = read_mapping_file(file);
  return root && root->is_object() && root->contains("direction") && (*root)["direction"] == "outbound";
}

std::expected<Mapping, MappingError> Mapping::load(const fs::path& file, const fs::path& schema_dir) {
  auto read = read_mapping_file(file);
  if (!read) return std::unexpected(read.error());
  const json& root = *read;
  try {
    auto spec = SpecReader(schema_dir).read(root, file.stem().string());
    spec->file = file.string();
    return Mapping(std::move(spec));
  } catch (const InvalidMember& invalid) {
    return std::unexpected(MappingError{"mapping_invalid", file.string() + "#" + invalid.pointer, invalid.message});
  }
}

const std::string& Mapping::name() const {
  return spec_->name;
}

const ContractInfo& Mapping::contract() const {
  return spec_->contract.info;
}

bool Mapping::recognises_versions() const {
  return spec_->contract.recognised_by.has_value();
}

bool Mapping::json_input() const {
  return spec_->input == InputKind::json_message;
}

std::expected<std::map<std::string, Mapping>, MappingError> load_mappings(const fs::path& dir,
                                                                          const fs::path& schema_dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return std::unexpected(MappingError{"mapping_unreadable", dir.string(), "not a directory"});
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    // Outbound templates share the adapter's folder (mappings/jobbtorg/anvisning.json); they are
    // OutboundTemplate's to load.
    if (entry.is_regular_file() && entry.path().extension() == ".json" && !is_outbound_template(entry.path())) {
      files.push_back(entry.path());
    }
  }
  if (ec) return std::unexpected(MappingError{"mapping_unreadable", dir.string(), ec.message()});
  std::sort(files.begin(), files.end());  // the same file fails first on every start
  std::map<std::string, Mapping> mappings;
  for (const auto& file : files) {
    auto mapping = Mapping::load(file, schema_dir);
    if (!mapping) return std::unexpected(mapping.error());
    mappings.emplace(file.stem().string(), std::move(*mapping));
  }
  return mappings;
}

}  // namespace knutpunkt::mapping
