#include "xml/schema.h"

#include "xml/error_sink.h"
#include "xml/loader_policy.h"

namespace knutpunkt::xml {
namespace {

struct FreeParserContext {
  void operator()(xmlSchemaParserCtxtPtr ctxt) const { xmlSchemaFreeParserCtxt(ctxt); }
};
struct FreeValidContext {
  void operator()(xmlSchemaValidCtxtPtr ctxt) const { xmlSchemaFreeValidCtxt(ctxt); }
};

using ValidContext = std::unique_ptr<xmlSchemaValidCtxt, FreeValidContext>;

ValidContext new_valid_context(xmlSchemaPtr schema, ErrorSink& errors) {
  ValidContext ctxt(xmlSchemaNewValidCtxt(schema));
  if (ctxt) xmlSchemaSetValidStructuredErrors(ctxt.get(), ErrorSink::collect, &errors);
  return ctxt;
}

}  // namespace

std::expected<Schema, XmlError> Schema::load(const std::filesystem::path& xsd) {
  initialise();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(xsd, ec)) {
    return std::unexpected(XmlError{"schema_load", xsd.string() + ": no such file"});
  }
  // Our own schema files are trusted local input; their imports may be read from disk, not the network.
  LocalFilesAllowed local_files;
  ErrorSink errors;
  std::unique_ptr<xmlSchemaParserCtxt, FreeParserContext> ctxt(xmlSchemaNewParserCtxt(xsd.c_str()));
  if (!ctxt) return std::unexpected(XmlError{"schema_load", xsd.string() + ": out of memory"});
  xmlSchemaSetParserStructuredErrors(ctxt.get(), ErrorSink::collect, &errors);
  xmlSchemaPtr schema = xmlSchemaParse(ctxt.get());
  if (schema == nullptr) {
    return std::unexpected(XmlError{"schema_load", xsd.string() + ": " + errors.message("schema did not compile")});
  }
  return Schema(schema);
}

std::expected<void, XmlError> Schema::validate(const Document& document) const {
  if (document.get() == nullptr) return std::unexpected(XmlError{"schema_invalid", "empty document"});
  ErrorSink errors;
  auto ctxt = new_valid_context(schema_.get(), errors);
  if (!ctxt) return std::unexpected(XmlError{"schema_invalid", "out of memory"});
  const int rc = xmlSchemaValidateDoc(ctxt.get(), document.get());
  if (rc != 0) return std::unexpected(XmlError{"schema_invalid", errors.message("document is not valid")});
  return {};
}

std::expected<void, XmlError> Schema::validate(xmlNodePtr element) const {
  if (element == nullptr || element->type != XML_ELEMENT_NODE) {
    return std::unexpected(XmlError{"schema_invalid", "not an element"});
  }
  ErrorSink errors;
  auto ctxt = new_valid_context(schema_.get(), errors);
  if (!ctxt) return std::unexpected(XmlError{"schema_invalid", "out of memory"});
  const int rc = xmlSchemaValidateOneElement(ctxt.get(), element);
  if (rc != 0) return std::unexpected(XmlError{"schema_invalid", errors.message("element is not valid")});
  return {};
}

}  // namespace knutpunkt::xml
