#pragma once
// A compiled W3C XML Schema. Loaded from local files only (imports and includes resolved
// relative to the file, never over the network). Validation creates its own context per call,
// so one Schema may be shared by many threads.
#include <libxml/xmlschemas.h>

#include <expected>
#include <filesystem>
#include <memory>

#include "xml/document.h"
#include "xml/xml_error.h"

namespace knutpunkt::xml {

class Schema {
 public:
  // Error: "schema_load" naming the file and libxml2's messages.
  static std::expected<Schema, XmlError> load(const std::filesystem::path& xsd);

  // Error: "schema_invalid" with libxml2's validation messages.
  std::expected<void, XmlError> validate(const Document& document) const;
  // Validates one element subtree (e.g. the payload inside a SOAP body).
  std::expected<void, XmlError> validate(xmlNodePtr element) const;

  Schema(Schema&&) noexcept = default;
  Schema& operator=(Schema&&) noexcept = default;
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  ~Schema() = default;

 private:
  struct Free {
    void operator()(xmlSchemaPtr schema) const { xmlSchemaFree(schema); }
  };
  explicit Schema(xmlSchemaPtr schema) : schema_(schema) {}
  std::unique_ptr<xmlSchema, Free> schema_;
};

}  // namespace knutpunkt::xml
