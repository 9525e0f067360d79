#pragma once
// What the SSBTEK contract tests share: reading fixtures, parsing without network or DTD, our
// XSDs compiled once, validation with the validator's messages, base64, and finding elements by
// name. Plain libxml2, so the contract check does not depend on gateway code.
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ssbtek_contract {

namespace fs = std::filesystem;

inline constexpr std::string_view kSoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kSsbtNs = "http://schema.forsakringskassan.se/integration/ssbt/10";

const fs::path& schema_dir();
const fs::path& fixture_dir();     // published-mode fixtures
const fs::path& production_dir();  // production-mode fixtures

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

std::string read_file(const fs::path& path);

// Partner XML is parsed without network access and without DTD loading or entity expansion.
Doc parse(const std::string& text, std::string& errors);
Doc parse_file(const fs::path& path);

// Our XSDs, each compiled once per process.
const xmlSchema* schema(const std::string& file);
const xmlSchema* ssbtek_schema();  // ssbtek-v10.xsd

struct Verdict {
  bool valid = false;
  std::string errors;
};
Verdict validate_element(const xmlSchema* schema, xmlNode* element);
Verdict validate_document(const xmlSchema* schema, const std::string& text);
// A SOAP message's payload (the Body child, or a Fault's detail child) against ssbtek-v10.xsd.
Verdict validate_message(const std::string& text);
Verdict validate_message(xmlDoc* doc);

bool is(const xmlNode* node, std::string_view ns, std::string_view name);
xmlNode* first_element(xmlNode* node);
// The element a validator must check: the Body child, or for a SOAP Fault its detail's child.
// A SOAP Header before the Body is passed over.
xmlNode* payload_element(xmlDoc* doc);

// The first element named `name` (local name, any namespace) in document order below `node`,
// `node` itself included; nullptr when there is none.
xmlNode* find(xmlNode* node, std::string_view name);
// Its text; "" when there is no such element.
std::string text_of(xmlNode* node, std::string_view name);
std::string text(xmlNode* node);
std::string fixture_text(const fs::path& fixture, std::string_view element);
// The element children of `parent`, in order.
std::vector<xmlNode*> children(xmlNode* parent);
std::string local_name(const xmlNode* node);

std::string base64_decode(std::string encoded);

// The reply fixtures (*.xml but the payload-* copies) in `dir` whose name contains `contains`.
std::vector<fs::path> fixtures(const fs::path& dir, std::string_view contains);

std::string replace_once(std::string text, std::string_view from, std::string_view to);

}  // namespace ssbtek_contract
