#pragma once
// Building the replies' XML with libxml2's tree API: values always become text nodes, escaped on
// output, and are never spliced into markup by hand. Also reading persons.json's facts.
#include <libxml/tree.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace knutpunkt::ssbtek_simulator {

using Json = nlohmann::ordered_json;

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

inline const xmlChar* x(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}

// Not xmlNewChild: given no namespace it puts the child in the parent's, but SKV's, MIV's and the
// SOAP Fault's children must be unqualified.
xmlNode* element(xmlNode* parent, xmlNs* ns, const char* name);
xmlNode* leaf(xmlNode* parent, xmlNs* ns, const char* name, const std::string& value);

// A document with its XML declaration, indented.
std::string serialise(xmlDoc* doc);
// A document's root element as text, without the XML declaration.
std::string serialise_root(xmlDoc* doc);

// A fact as text ("" when absent); numbers as JSON writes them.
std::string str(const Json& object, const char* key);
// A list of facts; an empty one when absent.
const Json& list(const Json& object, const char* key);

}  // namespace knutpunkt::ssbtek_simulator
