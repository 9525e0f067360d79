#pragma once
// A compiled W3C XML Schema. Loaded from local files only (imports and includes resolved
// relative to the file, never over the network). Each thread validates with a context of its
// own (kept for the thread's next validation), so one Schema may be shared by many threads.
#include <libxml/xmlschemas.h>

#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "xml/document.h"
#include "xml/xml_error.h"

namespace knutpunkt::xml {

// One place where a document departs from the schema, for readers that tolerate departures
// (a partner's reply drifting from its published contract) instead of refusing the document.
struct SchemaFinding {
  // "missing_element", "unexpected_element", "missing_attribute", "unexpected_attribute" or
  // "invalid_value".
  std::string kind;
  xmlNodePtr node = nullptr;  // the element the finding is about (for a missing child: its parent)
  // libxml2's message, or for an invalid value the element and facet only: values are the
  // partner's data, and findings travel into answers and audit records.
  std::string detail;
};

class Schema {
 public:
  // Error: "schema_load" naming the file and libxml2's messages.
  static std::expected<Schema, XmlError> load(const std::filesystem::path& xsd);

  // Error: "schema_invalid" with libxml2's validation messages.
  std::expected<void, XmlError> validate(const Document& document) const;
  // Validates one element subtree (e.g. the payload inside a SOAP body).
  std::expected<void, XmlError> validate(xmlNodePtr element) const;

  // Every departure from the schema in the document, in document order, at most max_findings of
  // them. An empty list means the document is valid.
  std::vector<SchemaFinding> findings(const Document& document, std::size_t max_findings = 64) const;
  // The same for one element subtree (e.g. the payload inside a SOAP body, when the schema
  // declares the payload but not the envelope around it).
  std::vector<SchemaFinding> findings(xmlNodePtr element, std::size_t max_findings = 64) const;

  Schema(Schema&&) noexcept = default;
  Schema& operator=(Schema&&) noexcept = default;
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  ~Schema() = default;

 private:
  struct Free {
    void operator()(xmlSchemaPtr schema) const { xmlSchemaFree(schema); }
  };
  Schema(xmlSchemaPtr schema, std::uint64_t serial) : schema_(schema), serial_(serial) {}
  std::vector<SchemaFinding> findings_in(xmlNodePtr top, std::size_t max_findings,
                                         const std::function<int(xmlSchemaValidCtxtPtr)>& validate) const;
  std::unique_ptr<xmlSchema, Free> schema_;
  std::uint64_t serial_ = 0;  // tells this schema's cached validation contexts from another's
};

}  // namespace knutpunkt::xml
