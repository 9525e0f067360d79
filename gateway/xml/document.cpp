#include "xml/document.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <climits>
#include <vector>

#include "xml/error_sink.h"
#include "xml/loader_policy.h"

namespace knutpunkt::xml {
namespace {

struct ParseState {
  ErrorSink errors;
  bool saw_doctype = false;
};

ParseState& state_of(void* user_data) {
  // libxml2 passes ctxt->userData, which is the parser context itself unless changed.
  auto* ctxt = static_cast<xmlParserCtxtPtr>(user_data);
  return *static_cast<ParseState*>(ctxt->_private);
}

void on_error(void* user_data, xmlErrorPtr error) {
  if (user_data != nullptr && error != nullptr) state_of(user_data).errors.add(*error);
}

// Called as soon as "<!DOCTYPE name ..." is read, before any declaration in the internal subset:
// stopping here means no entity is ever declared, so neither XXE nor billion laughs can start.
void on_doctype(void* user_data, const xmlChar*, const xmlChar*, const xmlChar*) {
  state_of(user_data).saw_doctype = true;
  xmlStopParser(static_cast<xmlParserCtxtPtr>(user_data));
}

struct FreeParserContext {
  void operator()(xmlParserCtxtPtr ctxt) const { xmlFreeParserCtxt(ctxt); }
};

// NONET: no network even for a stray reference. Deliberately absent: NOENT (entity
// substitution), DTDLOAD, DTDATTR, DTDVALID, XINCLUDE, HUGE (keeps libxml2's depth/size limits).
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_NOCDATA;

}  // namespace

std::expected<Document, XmlError> Document::parse(std::string_view bytes, const ParseLimits& limits) {
  return parse_with(bytes, limits, nullptr);
}

std::expected<Document, XmlError> Document::parse_text(std::string_view utf8, const ParseLimits& limits) {
  return parse_with(utf8, limits, "UTF-8");
}

std::expected<Document, XmlError> Document::parse_with(std::string_view bytes, const ParseLimits& limits,
                                                      const char* encoding) {
  if (bytes.size() > limits.max_bytes || bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return std::unexpected(XmlError{"too_large", "document is " + std::to_string(bytes.size()) + " bytes, limit " +
                                                     std::to_string(limits.max_bytes)});
  }
  if (bytes.empty()) return std::unexpected(XmlError{"malformed", "empty document"});
  initialise();

  std::unique_ptr<xmlParserCtxt, FreeParserContext> ctxt(xmlNewParserCtxt());
  if (!ctxt || ctxt->sax == nullptr) return std::unexpected(XmlError{"malformed", "out of memory"});
  ParseState state;
  ctxt->_private = &state;
  ctxt->sax->serror = on_error;  // per-context errors: nothing reaches the global handler
  ctxt->sax->internalSubset = on_doctype;

  xmlDocPtr raw =
      xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), nullptr, encoding, kParseOptions);
  Document doc(raw);
  if (state.saw_doctype || (raw != nullptr && (raw->intSubset != nullptr || raw->extSubset != nullptr))) {
    return std::unexpected(XmlError{"dtd_forbidden", "document type declarations are not accepted"});
  }
  if (raw == nullptr || !ctxt->wellFormed || xmlDocGetRootElement(raw) == nullptr) {
    return std::unexpected(XmlError{"malformed", state.errors.message("document is not well-formed")});
  }
  return doc;
}

xmlNodePtr Document::root() const {
  return doc_ ? xmlDocGetRootElement(doc_.get()) : nullptr;
}

std::string text(xmlNodePtr node) {
  if (node == nullptr) return {};
  xmlChar* content = xmlNodeGetContent(node);
  if (content == nullptr) return {};
  std::string result(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return result;
}

std::string local_name(xmlNodePtr node) {
  return node != nullptr && node->name != nullptr ? reinterpret_cast<const char*>(node->name) : "";
}

std::string namespace_uri(xmlNodePtr node) {
  if (node == nullptr || (node->type != XML_ELEMENT_NODE && node->type != XML_ATTRIBUTE_NODE)) return {};
  return node->ns != nullptr && node->ns->href != nullptr ? reinterpret_cast<const char*>(node->ns->href) : "";
}

std::string element_path(xmlNodePtr node, xmlNodePtr from) {
  std::vector<std::string> names;
  for (xmlNodePtr n = node; n != nullptr && n != from && n->type == XML_ELEMENT_NODE; n = n->parent) {
    names.push_back(local_name(n));
  }
  std::string path;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    if (!path.empty() || from == nullptr) path += "/";
    path += *it;
  }
  return path;
}

}  // namespace knutpunkt::xml
