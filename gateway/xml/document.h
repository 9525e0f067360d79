#pragma once
// A parsed XML document from outside input (partner replies, decoded payloads). Parsing never
// touches the network or the file system, never expands entities, and rejects any DTD.
#include <libxml/tree.h>

#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

#include "xml/xml_error.h"

namespace knutpunkt::xml {

struct ParseLimits {
  std::size_t max_bytes = 8 * 1024 * 1024;
};

class Document {
 public:
  // Errors: "too_large" (checked before parsing), "dtd_forbidden" (any DOCTYPE: SOAP 1.1 §3
  // forbids DTDs, and it is the door for XXE and entity expansion), "malformed".
  static std::expected<Document, XmlError> parse(std::string_view bytes, const ParseLimits& limits = {});

  // A document carried as text inside another one (e.g. Skatteverket's answer inside SSBTEK's
  // `svar`): the outer parse has already turned it into UTF-8, so its own XML declaration's
  // encoding no longer describes the bytes and is overridden. Same checks and errors as parse().
  static std::expected<Document, XmlError> parse_text(std::string_view utf8, const ParseLimits& limits = {});

  Document(Document&&) noexcept = default;
  Document& operator=(Document&&) noexcept = default;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;
  ~Document() = default;

  xmlDocPtr get() const { return doc_.get(); }
  xmlNodePtr root() const;

 private:
  struct Free {
    void operator()(xmlDocPtr doc) const { xmlFreeDoc(doc); }
  };
  explicit Document(xmlDocPtr doc) : doc_(doc) {}
  static std::expected<Document, XmlError> parse_with(std::string_view bytes, const ParseLimits& limits,
                                                      const char* encoding);
  std::unique_ptr<xmlDoc, Free> doc_;
};

// The XPath string value of a node: concatenated text of an element, value of an attribute.
std::string text(xmlNodePtr node);

// The local name and namespace URI of an element or attribute ("" when it has none).
std::string local_name(xmlNodePtr node);
std::string namespace_uri(xmlNodePtr node);

// The element's position as local names from `from` (exclusive) down to it, e.g.
// "data/Svar/ArbetssokandeInfo"; from the document root when `from` is null or not an ancestor.
// Prefixes are left out: they are whatever the sender's stack chose.
std::string element_path(xmlNodePtr node, xmlNodePtr from = nullptr);

}  // namespace knutpunkt::xml
