#include "contract_support.h"

#include <libxml/parser.h>
#include <libxml/xmlIO.h>
#include <openssl/evp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace ssbtek_contract {

namespace {

struct SchemaFree {
  void operator()(xmlSchema* s) const { xmlSchemaFree(s); }
};
using Schema = std::unique_ptr<xmlSchema, SchemaFree>;

void collect_error(void* sink, const xmlError* error) {
  auto* messages = static_cast<std::string*>(sink);
  if (error != nullptr && error->message != nullptr) *messages += error->message;
}
// libxml2 2.9 (Debian 12) declares the structured handler with a non-const xmlError*.
void collect_error_mutable(void* sink, xmlError* error) {
  collect_error(sink, error);
}

Schema load_schema(const std::string& file) {
  // Our schemas import each other by relative path; nothing may come from the network.
  xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
  std::string errors;
  const auto path = (schema_dir() / file).string();
  xmlSchemaParserCtxt* parser = xmlSchemaNewParserCtxt(path.c_str());
  xmlSchemaSetParserStructuredErrors(parser, collect_error_mutable, &errors);
  Schema compiled{xmlSchemaParse(parser)};
  xmlSchemaFreeParserCtxt(parser);
  INFO(file << ": " << errors);
  REQUIRE(compiled != nullptr);
  return compiled;
}

}  // namespace

const fs::path& schema_dir() {
  static const fs::path dir{SSBTEK_SCHEMA_DIR};
  return dir;
}
const fs::path& fixture_dir() {
  static const fs::path dir{SSBTEK_FIXTURE_DIR};
  return dir;
}
const fs::path& production_dir() {
  static const fs::path dir = fixture_dir() / "production";
  return dir;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Doc parse(const std::string& text, std::string& errors) {
  xmlSetStructuredErrorFunc(&errors, collect_error_mutable);
  Doc doc{xmlReadMemory(text.data(), static_cast<int>(text.size()), "fixture.xml", nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOBLANKS)};
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  return doc;
}

Doc parse_file(const fs::path& path) {
  std::string errors;
  Doc doc = parse(read_file(path), errors);
  INFO(path.filename().string() << ": " << errors);
  REQUIRE(doc);
  return doc;
}

const xmlSchema* schema(const std::string& file) {
  static std::mutex mutex;
  static std::map<std::string, Schema> compiled;
  std::lock_guard lock(mutex);
  auto found = compiled.find(file);
  if (found == compiled.end()) found = compiled.emplace(file, load_schema(file)).first;
  return found->second.get();
}

const xmlSchema* ssbtek_schema() {
  return schema("ssbtek-v10.xsd");
}

Verdict validate_element(const xmlSchema* compiled, xmlNode* element) {
  Verdict verdict;
  xmlSchemaValidCtxt* ctxt = xmlSchemaNewValidCtxt(const_cast<xmlSchema*>(compiled));
  xmlSchemaSetValidStructuredErrors(ctxt, collect_error_mutable, &verdict.errors);
  verdict.valid = xmlSchemaValidateOneElement(ctxt, element) == 0;
  xmlSchemaFreeValidCtxt(ctxt);
  return verdict;
}

Verdict validate_document(const xmlSchema* compiled, const std::string& text) {
  Verdict verdict;
  Doc doc = parse(text, verdict.errors);
  if (!doc) return verdict;
  return validate_element(compiled, xmlDocGetRootElement(doc.get()));
}

Verdict validate_message(xmlDoc* doc) {
  xmlNode* payload = payload_element(doc);
  if (payload == nullptr) return Verdict{false, "no SOAP Body payload"};
  return validate_element(ssbtek_schema(), payload);
}

Verdict validate_message(const std::string& text) {
  Verdict verdict;
  Doc doc = parse(text, verdict.errors);
  if (!doc) return verdict;
  return validate_message(doc.get());
}

bool is(const xmlNode* node, std::string_view ns, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         ns == reinterpret_cast<const char*>(node->ns->href) && name == reinterpret_cast<const char*>(node->name);
}

xmlNode* first_element(xmlNode* node) {
  for (; node != nullptr; node = node->next)
    if (node->type == XML_ELEMENT_NODE) return node;
  return nullptr;
}

xmlNode* payload_element(xmlDoc* doc) {
  xmlNode* envelope = xmlDocGetRootElement(doc);
  if (!is(envelope, kSoapNs, "Envelope")) return nullptr;
  xmlNode* body = first_element(envelope->children);
  if (is(body, kSoapNs, "Header")) body = first_element(body->next);
  if (!is(body, kSoapNs, "Body")) return nullptr;
  xmlNode* child = first_element(body->children);
  if (!is(child, kSoapNs, "Fault")) return child;
  for (xmlNode* part = first_element(child->children); part != nullptr; part = first_element(part->next))
    if (xmlStrEqual(part->name, BAD_CAST "detail")) return first_element(part->children);
  return nullptr;
}

std::string local_name(const xmlNode* node) {
  return node != nullptr ? reinterpret_cast<const char*>(node->name) : "";
}

xmlNode* find(xmlNode* node, std::string_view name) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (name == reinterpret_cast<const char*>(node->name)) return node;
    if (xmlNode* found = find(node->children, name)) return found;
  }
  return nullptr;
}

std::string text(xmlNode* node) {
  if (node == nullptr) return {};
  xmlChar* content = xmlNodeGetContent(node);
  std::string out = content != nullptr ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return out;
}

std::string text_of(xmlNode* node, std::string_view name) {
  return text(find(node, name));
}

std::string fixture_text(const fs::path& fixture, std::string_view element) {
  Doc doc = parse_file(fixture);
  return text_of(xmlDocGetRootElement(doc.get()), element);
}

std::vector<xmlNode*> children(xmlNode* parent) {
  std::vector<xmlNode*> out;
  if (parent == nullptr) return out;
  for (xmlNode* n = first_element(parent->children); n != nullptr; n = first_element(n->next)) out.push_back(n);
  return out;
}

std::string base64_decode(std::string encoded) {
  std::erase_if(encoded, [](unsigned char c) { return std::isspace(c) != 0; });
  std::string out(encoded.size() / 4 * 3 + 3, '\0');
  EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
  EVP_DecodeInit(ctx);
  int written = 0;
  int tail = 0;
  const bool ok =
      EVP_DecodeUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &written,
                       reinterpret_cast<const unsigned char*>(encoded.data()), static_cast<int>(encoded.size())) >= 0 &&
      EVP_DecodeFinal(ctx, reinterpret_cast<unsigned char*>(out.data()) + written, &tail) == 1;
  EVP_ENCODE_CTX_free(ctx);
  if (!ok) return {};
  out.resize(static_cast<std::size_t>(written + tail));
  return out;
}

std::vector<fs::path> fixtures(const fs::path& dir, std::string_view contains) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (entry.is_regular_file() && entry.path().extension() == ".xml" && !name.starts_with("payload-") &&
        name.find(contains) != std::string::npos)
      found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace ssbtek_contract
