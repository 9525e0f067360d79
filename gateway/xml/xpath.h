#pragma once
// XPath 1.0 expressions compiled once (at configuration load) and evaluated many times, from
// several threads: each evaluation borrows a compiled copy of its own, because libxml2 caches
// function look-ups inside the compiled expression while evaluating it.
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "xml/document.h"
#include "xml/xml_error.h"

namespace knutpunkt::xml {

using Namespaces = std::vector<std::pair<std::string, std::string>>;  // prefix → namespace URI

class XPath {
 public:
  // Error: "xpath_invalid" with libxml2's message (syntax errors).
  static std::expected<XPath, XmlError> compile(const std::string& expression);

  // Error "xpath_invalid" naming the first prefix used in the expression and missing from
  // namespaces. Lets configuration loading catch what libxml2 would only find while evaluating.
  std::expected<void, XmlError> check_prefixes(const Namespaces& namespaces) const;

  // The context node decides both the document and where relative paths start. Evaluation
  // errors (an unbound prefix, a node-set expected) come back as "xpath_invalid".
  std::expected<std::vector<xmlNodePtr>, XmlError> nodes(xmlNodePtr context, const Namespaces& namespaces) const;
  // nullopt when the expression selects no node; otherwise its XPath string value.
  std::expected<std::optional<std::string>, XmlError> string(xmlNodePtr context, const Namespaces& namespaces) const;
  std::expected<bool, XmlError> boolean(xmlNodePtr context, const Namespaces& namespaces) const;

  // Convenience: evaluate with the document node as context.
  static xmlNodePtr document_node(const Document& document) { return reinterpret_cast<xmlNodePtr>(document.get()); }

  const std::string& expression() const;

  XPath(XPath&&) noexcept;
  XPath& operator=(XPath&&) noexcept;
  XPath(const XPath&) = delete;
  XPath& operator=(const XPath&) = delete;
  ~XPath();

 private:
  struct Compiled;
  explicit XPath(std::unique_ptr<Compiled> compiled);
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace knutpunkt::xml
