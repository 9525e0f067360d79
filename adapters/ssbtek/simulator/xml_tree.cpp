#include "xml_tree.h"

namespace knutpunkt::ssbtek_simulator {

xmlNode* element(xmlNode* parent, xmlNs* ns, const char* name) {
  return xmlAddChild(parent, xmlNewDocNode(parent->doc, ns, x(name), nullptr));
}

xmlNode* leaf(xmlNode* parent, xmlNs* ns, const char* name, const std::string& value) {
  xmlNode* node = element(parent, ns, name);
  xmlNodeAddContentLen(node, x(value.c_str()), static_cast<int>(value.size()));
  return node;
}

std::string serialise(xmlDoc* doc) {
  xmlChar* buffer = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(doc, &buffer, &size, "UTF-8", 1);
  std::string out(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
  xmlFree(buffer);
  return out;
}

std::string serialise_root(xmlDoc* doc) {
  xmlBuffer* buffer = xmlBufferCreate();
  xmlNodeDump(buffer, doc, xmlDocGetRootElement(doc), 0, 1);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buffer)),
                  static_cast<std::size_t>(xmlBufferLength(buffer)));
  xmlBufferFree(buffer);
  return out;
}

std::string str(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || object[key].is_null()) return {};
  const Json& value = object[key];
  return value.is_string() ? value.get<std::string>() : value.dump();
}

const Json& list(const Json& object, const char* key) {
  static const Json empty = Json::array();
  if (!object.is_object() || !object.contains(key) || !object[key].is_array()) return empty;
  return object[key];
}

}  // namespace knutpunkt::ssbtek_simulator
