#pragma once
// The compiled form of a mapping file (internal to knutpunkt_mapping). Built by mapping_load.cpp,
// read by mapping_apply.cpp; immutable once built.
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mapping/json_path.h"
#include "mapping/json_vocabulary.h"
#include "mapping/mapping.h"
#include "xml/schema.h"
#include "xml/xpath.h"

namespace knutpunkt::mapping {

enum class PayloadKind { xml, json };
enum class ValueType { string, integer, boolean, date, datetime, amount_sek, decimal, code, constant };
// What apply() is given: an XML reply (data XPath, optional decode) or a JSON message ("payload": "json").
enum class InputKind { xml_reply, json_message };
enum class Decoding { base64_json, base64_xml, xml_text, json_text };

// An XPath (XML payloads) or a JsonPath (JSON payloads); text kept for messages.
struct PathSpec {
  std::string text;
  std::optional<xml::XPath> xpath;
  std::optional<JsonPath> json;
};

struct FieldSpec {
  std::string pointer;  // JSON pointer of the field in the mapping file, for error messages
  std::optional<PathSpec> path;
  ValueType type = ValueType::string;
  bool required = false;
  bool compact_date = false;  // "format": "YYYYMMDD"
  nlohmann::json constant;
  std::vector<std::string> codes;  // type "code": the accepted values
};

struct RecordSpec {
  std::string pointer;
  PathSpec each;
  std::vector<std::pair<std::string, FieldSpec>> facts;
};

struct EventSpec {
  std::string type;
  bool required = false;  // "each" must select at least one item
  RecordSpec record;
  std::optional<FieldSpec> occurred_at;
};

struct ProtectedSpec {
  std::string pointer;
  std::optional<xml::XPath> xpath;  // {"xpath": boolean expression}
  std::optional<FieldSpec> field;   // {"path", "type", "equals"}
  nlohmann::json equals;
};

struct ContractSpec {
  ContractInfo info;
  std::optional<ProtectedSpec> recognised_by;  // the same boolean test as protected_identity
  std::optional<JsonVocabulary> vocabulary;    // "schema": what the partner's published JSON Schema names
};

struct DecodeSpec {
  std::string pointer;
  Decoding as = Decoding::base64_json;
  xml::XPath xpath;
  std::optional<xml::Schema> schema;
};

// A mapping or template file read as JSON (mapping_unreadable when it cannot be opened or parsed).
std::expected<nlohmann::json, MappingError> read_mapping_file(const std::filesystem::path& file);

struct Mapping::Spec {
  std::string file;
  std::string name;
  xml::Namespaces namespaces;
  std::optional<xml::XPath> data;
  std::optional<DecodeSpec> decode;
  PayloadKind kind = PayloadKind::xml;
  InputKind input = InputKind::xml_reply;
  std::optional<FieldSpec> occurred_at;  // from the payload root; for events without their own value
  std::optional<ProtectedSpec> protected_identity;
  std::vector<EventSpec> events;
  std::optional<RecordSpec> deviations;
  ContractSpec contract;
};

}  // namespace knutpunkt::mapping
