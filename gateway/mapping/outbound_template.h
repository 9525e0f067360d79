#pragma once
// Declarative internal → partner translation: a JSON template (mappings/<adapter>/<name>.json with
// "direction": "outbound", format in mappings/README.md) whose placeholders {"$from": pointer} are
// filled from an internal document. The counterpart of Mapping, which reads partner messages.
// Checked completely when loaded, so a bad file stops start-up with the file and JSON pointer.
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "mapping/mapping.h"

namespace knutpunkt::mapping {

// Load codes: "mapping_unreadable", "mapping_invalid" (where = file#pointer), as for Mapping.
// Render codes: "value_missing" (a required value), "value_invalid" (a value of the wrong type);
// where = "<name>:<template pointer>", field = the JSON Pointer into the source document.
// Messages never quote source values (they hold personnummer and names).
class OutboundTemplate {
 public:
  static std::expected<OutboundTemplate, MappingError> load(const std::filesystem::path& file);

  // Thread-safe; a loaded template is immutable. A missing optional value leaves its key out, and an
  // object or array that omissions leave empty is left out too (partners read "absent", not "{}").
  std::expected<nlohmann::json, MappingError> render(const nlohmann::json& source) const;

  const std::string& name() const;  // the "mapping" field, e.g. "jobbtorg/anvisning"

  struct Spec;

 private:
  explicit OutboundTemplate(std::shared_ptr<const Spec> spec) : spec_(std::move(spec)) {}
  std::shared_ptr<const Spec> spec_;
};

// Every outbound template (*.json with "direction": "outbound") in dir; the key is the file stem
// ("anvisning"). The first bad file stops loading. Inbound mappings in the same folder are skipped.
std::expected<std::map<std::string, OutboundTemplate>, MappingError> load_outbound_templates(
    const std::filesystem::path& dir);

}  // namespace knutpunkt::mapping
