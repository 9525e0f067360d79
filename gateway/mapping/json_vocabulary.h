#pragma once
// The member names a partner's published JSON Schema gives its messages, so that a message carrying
// a member the partner never published is noticed (a deviation, counted and audited) while the
// mapping goes on reading what it needs. A vocabulary, not a validator: types, formats, required
// members and if/then conditions are not checked. No C++ JSON Schema validator is packaged for this
// system, and a hand-written one would be a second, subtly different reading of the partner's
// contract; the mapping already refuses any value it needs and cannot read.
#include <cstddef>
#include <expected>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace knutpunkt::mapping {

class JsonVocabulary {
 public:
  // A hostile message with thousands of invented members must not become thousands of audit entries.
  static constexpr std::size_t kMaxUnknownFields = 64;

  // `schema` is the parsed schema document; `label` names it in deviation details (the file as the
  // mapping names it). Follows local "$ref"s ("#/$defs/…", "#/definitions/…"), "allOf", "anyOf",
  // "oneOf" and the "then"/"else" of conditions (the union of the names they give), "items" and
  // "prefixItems", and "additionalProperties" given as a schema. Error: the schema pointer and what
  // is wrong there (a "$ref" to another document or to nothing).
  static std::expected<JsonVocabulary, std::string> compile(const nlohmann::json& schema, std::string label);

  // Every member of `message` the schema does not name, as {"kind": "unknown_field", "path": <JSON
  // Pointer into the message>, "detail": "not in <label>"}, at most `limit`. An object's members are
  // checked only where the schema lists them ("properties", or "additionalProperties": false); where
  // the schema says nothing about a value, nothing below it is checked. Never quotes a value.
  std::vector<nlohmann::json> unknown_fields(const nlohmann::json& message,
                                             std::size_t limit = kMaxUnknownFields) const;

  const std::string& label() const;

  struct Compiled;

 private:
  explicit JsonVocabulary(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}
  std::shared_ptr<const Compiled> compiled_;
};

// Where the published JSON Schemas of a REST partner are, given the folder of its mappings: the
// repository lays them out side by side (mappings/<partner>/, schemas/<partner>/), and so does a
// deployment that copies both folders.
std::filesystem::path published_schema_dir(const std::filesystem::path& mapping_dir);

}  // namespace knutpunkt::mapping
