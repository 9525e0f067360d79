#include "reply_variants.h"

#include <libxml/parser.h>
#include <libxml/xmlsave.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "mapping/base64.h"

namespace knutpunkt::ssbtek::mutation {
namespace {

constexpr std::string_view kSoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view kSsbtNs = "http://schema.forsakringskassan.se/integration/ssbt/10";
constexpr std::string_view kAfNs = "http://api.arbetsformedlingen.se/arbetssokande/ersattningsstod/v2";
constexpr std::string_view kSoNs = "http://INT014.UBPService.Schemas";
constexpr std::string_view kWsaNs = "http://www.w3.org/2005/08/addressing";
// A namespace no contract knows, as a newer partner version or a proxy might add.
constexpr std::string_view kForeignNs = "urn:example:knutpunkt:okand-utokning:1";

const char* encoding_name(Encoding encoding) {
  switch (encoding) {
    case Encoding::iso8859_1:
      return "ISO-8859-1";
    case Encoding::us_ascii:
      return "US-ASCII";
    case Encoding::utf16:
      return "UTF-16";
    case Encoding::utf8:
      break;
  }
  return "UTF-8";
}

struct FreeDoc {
  void operator()(xmlDocPtr doc) const { xmlFreeDoc(doc); }
};
using Doc = std::unique_ptr<xmlDoc, FreeDoc>;

const xmlChar* x(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}

std::string_view uri_of(xmlNodePtr node) {
  return node->ns != nullptr && node->ns->href != nullptr ? reinterpret_cast<const char*>(node->ns->href) : "";
}

std::string_view name_of(xmlNodePtr node) {
  return reinterpret_cast<const char*>(node->name);
}

bool is(xmlNodePtr node, std::string_view ns, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && uri_of(node) == ns && name_of(node) == name;
}

std::vector<xmlNodePtr> element_children(xmlNodePtr parent) {
  std::vector<xmlNodePtr> out;
  for (xmlNodePtr c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  }
  return out;
}

bool has_element_children(xmlNodePtr node) {
  for (xmlNodePtr c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) return true;
  }
  return false;
}

void collect_elements(xmlNodePtr node, std::vector<xmlNodePtr>& out) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    out.push_back(node);
    collect_elements(node->children, out);
  }
}

// Document order, parents before children; a snapshot, so an edit may add to the tree while it walks.
std::vector<xmlNodePtr> all_elements(xmlDocPtr doc) {
  std::vector<xmlNodePtr> out;
  collect_elements(doc->children, out);
  return out;
}

xmlNodePtr child(xmlNodePtr parent, std::string_view ns, std::string_view name) {
  if (parent == nullptr) return nullptr;
  for (xmlNodePtr c = parent->children; c != nullptr; c = c->next) {
    if (is(c, ns, name)) return c;
  }
  return nullptr;
}

xmlNodePtr envelope(xmlDocPtr doc) {
  xmlNodePtr root = xmlDocGetRootElement(doc);
  return is(root, kSoapNs, "Envelope") ? root : nullptr;
}

xmlNodePtr svarsdata(xmlDocPtr doc) {
  xmlNodePtr body = child(envelope(doc), kSoapNs, "Body");
  return child(child(body, kSsbtNs, "hamtaBastjanstInformationResponse"), kSsbtNs, "svarsdata");
}

// Every source's data element, keyed by the source's name.
std::vector<std::pair<std::string, xmlNodePtr>> source_data(xmlDocPtr doc) {
  std::vector<std::pair<std::string, xmlNodePtr>> out;
  xmlNodePtr answers = svarsdata(doc);
  if (answers == nullptr) return out;
  for (xmlNodePtr section : element_children(answers)) {
    if (xmlNodePtr data = child(section, kSsbtNs, "data")) out.emplace_back(std::string(name_of(section)), data);
  }
  return out;
}

int depth_of(xmlNodePtr node) {
  int depth = 0;
  for (xmlNodePtr n = node->parent; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) ++depth;
  return depth;
}

void remove_node(xmlNodePtr node) {
  xmlUnlinkNode(node);
  xmlFreeNode(node);
}

// Puts an element already in the tree into namespace `uri` ("" for none), reusing a declaration
// in scope or declaring one: an unqualified element under a default namespace needs xmlns="".
void set_namespace(xmlNodePtr element, std::string_view uri, const char* fresh_prefix) {
  if (uri.empty()) {
    element->ns = nullptr;
    xmlNsPtr in_scope = xmlSearchNs(element->doc, element, nullptr);
    if (in_scope != nullptr && in_scope->href != nullptr && in_scope->href[0] != 0) xmlNewNs(element, x(""), nullptr);
    return;
  }
  const std::string href(uri);
  if (xmlNsPtr ns = xmlSearchNsByHref(element->doc, element, x(href.c_str()))) {
    element->ns = ns;
    return;
  }
  element->ns = xmlNewNs(element, x(href.c_str()), x(fresh_prefix));
}

xmlNodePtr new_element(xmlDocPtr doc, const char* name) {
  return xmlNewDocNode(doc, nullptr, x(name), nullptr);
}

// Attached first, named after: the namespace lookup needs the element's place in the tree.
xmlNodePtr add_element(xmlNodePtr parent, xmlNodePtr before, const char* name, std::string_view uri,
                       const char* prefix) {
  xmlNodePtr element = new_element(parent->doc, name);
  if (before != nullptr) {
    xmlAddPrevSibling(before, element);
  } else {
    xmlAddChild(parent, element);
  }
  set_namespace(element, uri, prefix);
  return element;
}

// An element no contract knows, with an attribute, a child and non-ASCII text, so a reader that
// stumbles over any of them shows. Its own namespace's variant uses a name none of the sources uses.
void insert_unknown(xmlNodePtr parent, xmlNodePtr before, bool foreign) {
  std::string uri;
  if (foreign) {
    uri = kForeignNs;
  } else if (before != nullptr) {
    uri = uri_of(before);
  } else {
    const auto siblings = element_children(parent);
    uri = siblings.empty() ? uri_of(parent) : uri_of(siblings.back());
  }
  const char* prefix = foreign ? "okand" : "egen";
  xmlNodePtr element = add_element(parent, before, foreign ? "utokning" : "tillaggsuppgift", uri, prefix);
  xmlNewProp(element, x("version"), x("2"));
  xmlNodePtr item = add_element(element, nullptr, "uppgift", uri, prefix);
  xmlNodeAddContent(item, x("okänd uppgift från en nyare version"));
}

// Before each element child and after the last one.
void insert_around_children(xmlNodePtr parent, const std::function<bool()>& foreign) {
  for (xmlNodePtr c : element_children(parent)) insert_unknown(parent, c, foreign());
  insert_unknown(parent, nullptr, foreign());
}

// ---- SOAP Header ----------------------------------------------------------------------------

xmlNodePtr header_of(xmlDocPtr doc) {
  return child(envelope(doc), kSoapNs, "Header");
}

xmlNodePtr add_header(xmlDocPtr doc) {
  xmlNodePtr env = envelope(doc);
  xmlNodePtr header = new_element(doc, "Header");
  if (xmlNodePtr first = xmlFirstElementChild(env)) {
    xmlAddPrevSibling(first, header);
  } else {
    xmlAddChild(env, header);
  }
  set_namespace(header, kSoapNs, "soapenv");
  return header;
}

void add_text_element(xmlNodePtr parent, const char* name, std::string_view uri, const char* prefix, const char* text) {
  xmlNodeAddContent(add_element(parent, nullptr, name, uri, prefix), x(text));
}

bool wsa_header_added(xmlDocPtr doc, std::mt19937&) {
  if (envelope(doc) == nullptr) return false;
  xmlNodePtr header = header_of(doc);
  if (header == nullptr) header = add_header(doc);
  add_text_element(header, "Action", kWsaNs, "wsa",
                   "http://schema.forsakringskassan.se/integration/ssbt/10/hamtaBastjanstInformationResponse");
  add_text_element(header, "MessageID", kWsaNs, "wsa", "urn:uuid:0f6c2b1e-7d55-4a39-9a43-5b2f4c1d9e10");
  add_text_element(header, "RelatesTo", kWsaNs, "wsa", "urn:uuid:kp-7f3a2c9e");
  // A header entry the receiver may ignore (SOAP 1.1 §4.2.3).
  xmlNewNsProp(header->last, xmlSearchNsByHref(doc, header, x(std::string(kSoapNs).c_str())), x("mustUnderstand"),
               x("0"));
  return true;
}

bool empty_header_added(xmlDocPtr doc, std::mt19937&) {
  if (envelope(doc) == nullptr) return false;
  if (xmlNodePtr existing = header_of(doc)) remove_node(existing);
  add_header(doc);
  return true;
}

bool header_removed(xmlDocPtr doc, std::mt19937&) {
  xmlNodePtr header = header_of(doc);
  if (header == nullptr) return false;
  remove_node(header);
  return true;
}

// ---- unknown elements -------------------------------------------------------------------------

// Every element with element children, except Body: a second body entry is a variant of its own.
std::vector<xmlNodePtr> insertion_parents(xmlDocPtr doc) {
  std::vector<xmlNodePtr> out;
  for (xmlNodePtr e : all_elements(doc)) {
    if (!is(e, kSoapNs, "Body") && has_element_children(e)) out.push_back(e);
  }
  for (const auto& [source, data] : source_data(doc)) {
    if (!has_element_children(data)) out.push_back(data);
  }
  return out;
}

bool unknown_foreign_everywhere(xmlDocPtr doc, std::mt19937&) {
  const auto parents = insertion_parents(doc);
  for (xmlNodePtr p : parents) insert_around_children(p, [] { return true; });
  return !parents.empty();
}

bool unknown_own_everywhere(xmlDocPtr doc, std::mt19937&) {
  const auto parents = insertion_parents(doc);
  for (xmlNodePtr p : parents) insert_around_children(p, [] { return false; });
  return !parents.empty();
}

bool unknown_in_every_data(xmlDocPtr doc, std::mt19937&) {
  bool foreign = false;
  auto alternate = [&] { return foreign = !foreign; };
  const auto data = source_data(doc);
  for (const auto& [source, element] : data) insert_around_children(element, alternate);
  if (xmlNodePtr answers = svarsdata(doc)) insert_around_children(answers, alternate);
  return !data.empty();
}

bool unknown_at_random(xmlDocPtr doc, std::mt19937& rng) {
  const auto parents = insertion_parents(doc);
  if (parents.empty()) return false;
  for (int i = 0; i < 6; ++i) {
    xmlNodePtr parent = parents[rng() % parents.size()];
    const auto children = element_children(parent);
    const std::size_t at = rng() % (children.size() + 1);
    insert_unknown(parent, at < children.size() ? children[at] : nullptr, rng() % 2 == 0);
  }
  return true;
}

xmlNodePtr body_payload(xmlDocPtr doc) {
  return xmlFirstElementChild(child(envelope(doc), kSoapNs, "Body"));
}

// SOAP 1.1 §4.3: a Body may hold several body entries.
bool body_entry_after_response(xmlDocPtr doc, std::mt19937&) {
  xmlNodePtr payload = body_payload(doc);
  if (payload == nullptr) return false;
  insert_unknown(payload->parent, nullptr, true);
  return true;
}

bool body_entry_before_response(xmlDocPtr doc, std::mt19937&) {
  xmlNodePtr payload = body_payload(doc);
  if (payload == nullptr) return false;
  insert_unknown(payload->parent, payload, true);
  return true;
}

// SOAP 1.1 §4.1.2: namespace-qualified elements may follow the Body.
bool envelope_entry_after_body(xmlDocPtr doc, std::mt19937&) {
  xmlNodePtr env = envelope(doc);
  if (env == nullptr) return false;
  insert_unknown(env, nullptr, true);
  return true;
}

// ---- removed elements -------------------------------------------------------------------------

using QNames = std::vector<std::pair<std::string_view, std::string_view>>;

bool listed(xmlNodePtr e, const QNames& names) {
  return std::ranges::any_of(names, [&](const auto& n) { return is(e, n.first, n.second); });
}

// The outermost listed elements: a listed element inside another goes with it.
void collect_listed(xmlNodePtr node, const QNames& names, std::vector<xmlNodePtr>& out) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (listed(node, names)) {
      out.push_back(node);
    } else {
      collect_listed(node->children, names, out);
    }
  }
}

bool removed(xmlDocPtr doc, const QNames& names) {
  std::vector<xmlNodePtr> found;
  collect_listed(doc->children, names, found);
  for (xmlNodePtr e : found) remove_node(e);
  return !found.empty();
}

// What SSBTEK echoes from the question (ssbtek-v10.xsd: all three minOccurs="0").
bool ssbtek_echo_removed(xmlDocPtr doc, std::mt19937&) {
  return removed(doc, {{kSsbtNs, "korrelationsid"}, {kSsbtNs, "frageTidpunkt"}, {kSsbtNs, "fraga"}});
}

// What a source echoes from the question it got. Some are required by the source's schema, so
// their absence is a deviation, never a different fact: no mapping reads them.
bool source_echo_removed(xmlDocPtr doc, std::mt19937&) {
  return removed(doc, {{kAfNs, "Fraga"},
                       {kAfNs, "Schemaversion"},
                       {kAfNs, "Referensnummer"},
                       {kAfNs, "LagParagraf"},
                       {kAfNs, "IdentitetsbeteckningFysiskPerson"},
                       {kSoNs, "OrganisationsnummerIngivare"},
                       {kSoNs, "NamnIngivare"},
                       {kSoNs, "KontonamnHandlaggare"},
                       {kSoNs, "Referensnummer"},
                       {kSoNs, "From"},
                       {kSoNs, "Tom"},
                       {kSoNs, "Syfte"},
                       {kSoNs, "Paragraf"},
                       {kSoNs, "IdentificationNumber"},
                       {"", "korrelationsid"},
                       {"", "correlationid"}});
}

// minOccurs="0" in the sources' schemas and read by no mapping (mappings/ssbtek/*.json). CSN, FK
// and SKV have none at this level: their data is one required payload element.
bool optional_unread_removed(xmlDocPtr doc, std::mt19937&) {
  return removed(doc, {// af-ersattningsstod-v2.xsd
                       {kAfNs, "Test"},
                       {kAfNs, "OrganisationsnummerForPersonuppgiftsbitrade"},
                       {kAfNs, "NamnPaPersonuppgiftsbitrade"},
                       {kAfNs, "Fornamn"},
                       {kAfNs, "Efternamn"},
                       // so-ubpservice-int014.xsd
                       {kSoNs, "OrganisationsnummerPersonuppgiftsbitrade"},
                       {kSoNs, "NamnPersonuppgiftsbitrade"},
                       {kSoNs, "AnsoktOmErsattning"},
                       // miv-ssbtekwebservice-1.xsd (unqualified)
                       {"", "korrelationsid"},
                       {"", "efternamn"},
                       {"", "fornamn"},
                       {"", "hemland"},
                       {"", "personnummer"},
                       {"", "anledningNamn"},
                       {"", "arendeTypNamn"},
                       {"", "beslutsKodNamn"},
                       {"", "beslutsTypNamn"},
                       // ssbtek-v10.xsd
                       {kSsbtNs, "korrelationsid"},
                       {kSsbtNs, "frageTidpunkt"},
                       {kSsbtNs, "fraga"}});
}

// ---- text form ---------------------------------------------------------------------------------

// The elements whose text is a value: no element children, something besides whitespace.
std::vector<xmlNodePtr> value_elements(xmlDocPtr doc) {
  std::vector<xmlNodePtr> out;
  for (xmlNodePtr e : all_elements(doc)) {
    if (has_element_children(e) || e->children == nullptr) continue;
    xmlChar* content = xmlNodeGetContent(e);
    const std::string_view text = content != nullptr ? reinterpret_cast<const char*>(content) : "";
    const bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
    xmlFree(content);
    if (!blank) out.push_back(e);
  }
  return out;
}

std::string content_of(xmlNodePtr e) {
  xmlChar* content = xmlNodeGetContent(e);
  std::string text = content != nullptr ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return text;
}

void clear_children(xmlNodePtr e) {
  while (e->children != nullptr) remove_node(e->children);
}

// Taken as it is: xmlNodeSetContent would read '&' in it as the start of an entity reference.
void set_text(xmlNodePtr e, std::string_view text) {
  clear_children(e);
  xmlAddChild(e, xmlNewDocTextLen(e->doc, x(std::string(text).c_str()), static_cast<int>(text.size())));
}

// "]]>" cannot stand inside a CDATA section, so it is split across two of them.
void append_cdata(xmlNodePtr e, std::string_view text) {
  std::size_t from = 0;
  for (std::size_t at = text.find("]]>"); at != std::string_view::npos; at = text.find("]]>", at + 1)) {
    const std::string piece(text.substr(from, at + 2 - from));
    xmlAddChild(e, xmlNewCDataBlock(e->doc, x(piece.c_str()), static_cast<int>(piece.size())));
    from = at + 2;
  }
  const std::string rest(text.substr(from));
  xmlAddChild(e, xmlNewCDataBlock(e->doc, x(rest.c_str()), static_cast<int>(rest.size())));
}

bool holds_cdata(xmlNodePtr e) {
  for (xmlNodePtr c = e->children; c != nullptr; c = c->next) {
    if (c->type == XML_CDATA_SECTION_NODE) return true;
  }
  return false;
}

// SKV's unqualified svar, whose text is an XML document (skv-beskattningws.xsd).
std::vector<xmlNodePtr> skv_svar(xmlDocPtr doc) {
  std::vector<xmlNodePtr> out;
  for (const auto& [source, data] : source_data(doc)) {
    if (source != "SKV") continue;
    for (xmlNodePtr e : element_children(data)) {
      if (is(e, "", "svar")) out.push_back(e);
    }
  }
  return out;
}

bool svar_as_cdata(xmlDocPtr doc, std::mt19937&) {
  bool any = false;
  for (xmlNodePtr e : skv_svar(doc)) {
    if (holds_cdata(e) || e->children == nullptr) continue;
    const std::string text = content_of(e);
    clear_children(e);
    append_cdata(e, text);
    any = true;
  }
  return any;
}

bool svar_as_escaped_text(xmlDocPtr doc, std::mt19937&) {
  bool any = false;
  for (xmlNodePtr e : skv_svar(doc)) {
    if (!holds_cdata(e)) continue;
    const std::string text = content_of(e);
    set_text(e, text);
    any = true;
  }
  return any;
}

bool values_as_cdata(xmlDocPtr doc, std::mt19937&) {
  const auto values = value_elements(doc);
  for (xmlNodePtr e : values) {
    const std::string text = content_of(e);
    clear_children(e);
    append_cdata(e, text);
  }
  return !values.empty();
}

// A value as two pieces, text then CDATA, which XPath reads as one string.
bool values_split(xmlDocPtr doc, std::mt19937& rng) {
  bool any = false;
  for (xmlNodePtr e : value_elements(doc)) {
    const std::string text = content_of(e);
    if (text.size() < 2) continue;
    std::size_t at = 1 + rng() % (text.size() - 1);
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80)
      ++at;  // not inside a UTF-8 sequence
    if (at == text.size()) continue;
    clear_children(e);
    const std::string head = text.substr(0, at);
    xmlAddChild(e, xmlNewDocTextLen(doc, x(head.c_str()), static_cast<int>(head.size())));
    append_cdata(e, std::string_view(text).substr(at));
    any = true;
  }
  return any;
}

// A comment before every element and one inside every value: XPath's string value and the schema
// both leave comments out, so "2025<!-- -->-06-13" is the date 2025-06-13.
bool comments_added(xmlDocPtr doc, std::mt19937& rng) {
  for (xmlNodePtr e : value_elements(doc)) {
    const std::string text = content_of(e);
    std::size_t at = rng() % (text.size() + 1);
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
    clear_children(e);
    const std::string head = text.substr(0, at);
    const std::string tail = text.substr(at);
    xmlAddChild(e, xmlNewDocTextLen(doc, x(head.c_str()), static_cast<int>(head.size())));
    xmlAddChild(e, xmlNewDocComment(doc, x(" inom värdet ")));
    xmlAddChild(e, xmlNewDocTextLen(doc, x(tail.c_str()), static_cast<int>(tail.size())));
  }
  const auto elements = all_elements(doc);
  for (xmlNodePtr e : elements) {
    if (e->parent != nullptr && e->parent->type == XML_ELEMENT_NODE) {
      xmlAddPrevSibling(e, xmlNewDocComment(doc, x(" före elementet ")));
    }
  }
  return !elements.empty();
}

// CSN's svar and LEFI's lefiJsonSvar (xsd:base64Binary in ssbtek-v10.xsd).
std::vector<xmlNodePtr> base64_payloads(xmlDocPtr doc) {
  std::vector<xmlNodePtr> out;
  for (const auto& [source, data] : source_data(doc)) {
    for (xmlNodePtr e : element_children(data)) {
      if (is(e, kSsbtNs, "svar") || is(e, kSsbtNs, "lefiJsonSvar")) out.push_back(e);
    }
  }
  return out;
}

bool base64_rewrapped(xmlDocPtr doc, std::size_t columns, std::string_view line_break, bool indented) {
  const auto payloads = base64_payloads(doc);
  for (xmlNodePtr e : payloads) {
    std::string compact = content_of(e);
    std::erase_if(compact, [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
    const std::string indent(indented ? 2 * static_cast<std::size_t>(depth_of(e)) + 2 : 0, ' ');
    std::string wrapped = indented ? std::string(line_break) + indent : "";
    for (std::size_t at = 0; at < compact.size(); at += columns) {
      if (at > 0) wrapped += std::string(line_break) + indent;
      wrapped += compact.substr(at, columns);
    }
    if (indented) wrapped += std::string(line_break) + std::string(indent.size() - 2, ' ');
    set_text(e, wrapped);
  }
  return !payloads.empty();
}

// MIME's 76 columns, as SOAP stacks wrap base64 (e.g. Java's MimeUtility, .NET's
// Base64FormattingOptions.InsertLineBreaks with CRLF).
bool base64_wrapped_76_lf(xmlDocPtr doc, std::mt19937&) {
  return base64_rewrapped(doc, 76, "\n", false);
}
bool base64_wrapped_76_crlf(xmlDocPtr doc, std::mt19937&) {
  return base64_rewrapped(doc, 76, "\r\n", false);
}
bool base64_wrapped_indented(xmlDocPtr doc, std::mt19937&) {
  return base64_rewrapped(doc, 64, "\n", true);
}

// ---- namespace prefixes ------------------------------------------------------------------------

// Each declared prefix renamed to the one `choose` gives for its namespace URI.
bool prefixes_renamed(xmlDocPtr doc, const std::function<std::string(const std::string& uri, std::size_t index,
                                                                     const std::vector<std::string>& old)>& choose) {
  std::vector<std::string> uris;
  std::vector<std::string> old;
  std::vector<xmlNsPtr> declarations;
  for (xmlNodePtr e : all_elements(doc)) {
    for (xmlNsPtr ns = e->nsDef; ns != nullptr; ns = ns->next) {
      if (ns->prefix == nullptr || ns->href == nullptr) continue;
      declarations.push_back(ns);
      const std::string uri = reinterpret_cast<const char*>(ns->href);
      if (std::ranges::find(uris, uri) == uris.end()) {
        uris.push_back(uri);
        old.emplace_back(reinterpret_cast<const char*>(ns->prefix));
      }
    }
  }
  for (xmlNsPtr ns : declarations) {
    const std::string uri = reinterpret_cast<const char*>(ns->href);
    const auto index = static_cast<std::size_t>(std::ranges::find(uris, uri) - uris.begin());
    xmlFree(const_cast<xmlChar*>(ns->prefix));
    ns->prefix = xmlStrdup(x(choose(uri, index, old).c_str()));
  }
  return !declarations.empty();
}

// As JAX-WS names them: S for the envelope, ns2, ns3, ... for the rest.
bool prefixes_jaxws(xmlDocPtr doc, std::mt19937&) {
  return prefixes_renamed(doc, [](const std::string& uri, std::size_t index, const std::vector<std::string>&) {
    if (uri == kSoapNs) return std::string("S");
    if (uri == kSsbtNs) return std::string("ns2");
    return "ns" + std::to_string(index + 3);
  });
}

// Each namespace gets the prefix another one had (soap's goes to ssbt and so on), so a reader
// that matches prefixes instead of namespace URIs reads the wrong elements.
bool prefixes_rotated(xmlDocPtr doc, std::mt19937&) {
  return prefixes_renamed(doc, [](const std::string&, std::size_t index, const std::vector<std::string>& old) {
    return old[(index + 1) % old.size()];
  });
}

// Prefixed declarations no element or attribute uses any longer, as a stack that writes default
// namespaces would not have written them. xmlns="" stays: it is what keeps an element unqualified.
void unused_declarations_removed(xmlDocPtr doc) {
  std::set<xmlNsPtr> used;
  const auto elements = all_elements(doc);
  for (xmlNodePtr e : elements) {
    used.insert(e->ns);
    for (xmlAttrPtr a = e->properties; a != nullptr; a = a->next) used.insert(a->ns);
  }
  for (xmlNodePtr e : elements) {
    xmlNsPtr* link = &e->nsDef;
    while (*link != nullptr) {
      xmlNsPtr ns = *link;
      if (ns->prefix != nullptr && used.count(ns) == 0) {
        *link = ns->next;
        ns->next = nullptr;
        xmlFreeNs(ns);
      } else {
        link = &ns->next;
      }
    }
  }
}

// Every element in the default namespace of its parent or a new one declared on it; an unqualified
// element (MIV's payload, SKV's svar) under a default namespace gets xmlns="". Attributes keep
// their prefixes: a default namespace never applies to them, so those declarations stay.
bool default_namespaces(xmlDocPtr doc, std::mt19937&) {
  bool any = false;
  for (xmlNodePtr e : all_elements(doc)) {
    const std::string uri(uri_of(e));
    xmlNsPtr in_scope = xmlSearchNs(doc, e, nullptr);
    const std::string scope_uri =
        in_scope != nullptr && in_scope->href != nullptr ? reinterpret_cast<const char*>(in_scope->href) : "";
    const bool prefixed = e->ns != nullptr && e->ns->prefix != nullptr;
    if (!prefixed && scope_uri == uri) continue;
    any = true;
    if (scope_uri == uri) {
      e->ns = in_scope;
      continue;
    }
    xmlNsPtr declared = xmlNewNs(e, x(uri.c_str()), nullptr);
    if (declared != nullptr) e->ns = uri.empty() ? nullptr : declared;
  }
  if (any) unused_declarations_removed(doc);
  return any;
}

// ---- whitespace ----------------------------------------------------------------------------------

bool blank_text(xmlNodePtr node) {
  if (node->type != XML_TEXT_NODE || node->content == nullptr) return false;
  const std::string_view text = reinterpret_cast<const char*>(node->content);
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Whitespace between elements only; a value's own text is never touched.
bool whitespace_stripped(xmlDocPtr doc, std::mt19937&) {
  bool any = false;
  for (xmlNodePtr e : all_elements(doc)) {
    if (!has_element_children(e)) continue;
    for (xmlNodePtr c = e->children; c != nullptr;) {
      xmlNodePtr next = c->next;
      if (blank_text(c)) {
        remove_node(c);
        any = true;
      }
      c = next;
    }
  }
  return any;
}

// Tabs and spaces, a deeper step than the fixtures use.
bool whitespace_reindented(xmlDocPtr doc, std::mt19937& rng) {
  whitespace_stripped(doc, rng);
  for (xmlNodePtr e : all_elements(doc)) {
    if (!has_element_children(e)) continue;
    const auto depth = static_cast<std::size_t>(depth_of(e));
    const std::string inner = "\n" + std::string(depth + 1, '\t') + "   ";
    for (xmlNodePtr c : element_children(e)) xmlAddPrevSibling(c, xmlNewDocText(doc, x(inner.c_str())));
    const std::string closing = "\n" + std::string(depth, '\t');
    xmlAddChild(e, xmlNewDocText(doc, x(closing.c_str())));
  }
  return true;
}

// ---- payloads carried inside the reply ----------------------------------------------------------

enum class PayloadKind { base64_xml, base64_json, xml_text };

// CSN's svar (base64 of an XML document), LEFI's lefiJsonSvar (base64 of JSON) and SKV's svar
// (an XML document as text), as ssbtek-v10.xsd and skv-beskattningws.xsd describe them.
std::vector<std::pair<xmlNodePtr, PayloadKind>> payloads(xmlDocPtr doc) {
  std::vector<std::pair<xmlNodePtr, PayloadKind>> out;
  for (const auto& [source, data] : source_data(doc)) {
    for (xmlNodePtr e : element_children(data)) {
      if (is(e, kSsbtNs, "svar")) out.emplace_back(e, PayloadKind::base64_xml);
      if (is(e, kSsbtNs, "lefiJsonSvar")) out.emplace_back(e, PayloadKind::base64_json);
      if (is(e, "", "svar")) out.emplace_back(e, PayloadKind::xml_text);
    }
  }
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::optional<std::string> unbase64(std::string_view text) {
  auto decoded = mapping::decode_base64(text, 64 * 1024 * 1024);
  if (!decoded) return std::nullopt;
  return std::move(*decoded);
}

std::string serialised(xmlDocPtr doc, Encoding encoding, bool pretty_printed, bool declaration) {
  xmlBufferPtr buffer = xmlBufferCreate();
  xmlSaveCtxtPtr save = xmlSaveToBuffer(buffer, encoding_name(encoding),
                                        (pretty_printed ? XML_SAVE_FORMAT : 0) | (declaration ? 0 : XML_SAVE_NO_DECL));
  xmlSaveDoc(save, doc);
  xmlSaveClose(save);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buffer)),
                  static_cast<std::size_t>(xmlBufferLength(buffer)));
  xmlBufferFree(buffer);
  return out;
}

// ISO-8859-1 bytes are the first 256 code points, so each becomes its UTF-8 form.
std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0 | (b >> 6));
      out += static_cast<char>(0x80 | (b & 0x3F));
    }
  }
  return out;
}

// `edit` applied to each XML document a source carries inside the reply, which is then put back
// as it came (base64 or text). A document carried as text is made of characters, not bytes: with
// ISO-8859-1 only its declaration changes, as when a sender pastes a document it wrote in Latin-1.
bool in_xml_payloads(xmlDocPtr doc, std::mt19937& rng, EditFunction edit, Encoding encoding) {
  bool any = false;
  for (const auto& [element, kind] : payloads(doc)) {
    if (kind == PayloadKind::base64_json) continue;
    const std::string text = content_of(element);
    const auto bytes = kind == PayloadKind::base64_xml ? unbase64(text) : std::optional<std::string>(text);
    if (!bytes) continue;
    Doc inner(xmlReadMemory(bytes->data(), static_cast<int>(bytes->size()), "payload.xml",
                            kind == PayloadKind::xml_text ? "UTF-8" : nullptr, XML_PARSE_NONET));
    if (!inner) continue;
    const bool changed = edit != nullptr ? edit(inner.get(), rng) : encoding != Encoding::utf8;
    if (!changed) continue;
    const bool declared =
        kind == PayloadKind::base64_xml || encoding != Encoding::utf8 || std::string_view(*bytes).starts_with("<?xml");
    const std::string out = serialised(inner.get(), encoding, false, declared);
    if (kind == PayloadKind::base64_xml) {
      set_text(element, base64(out));
    } else {
      set_text(element, encoding == Encoding::iso8859_1 ? latin1_to_utf8(out) : out);
    }
    any = true;
  }
  return any;
}

// `edit` applied to each JSON document (LEFI's answer), put back as base64.
template <typename Edit>
bool in_json_payloads(xmlDocPtr doc, Edit edit) {
  bool any = false;
  for (const auto& [element, kind] : payloads(doc)) {
    if (kind != PayloadKind::base64_json) continue;
    const auto bytes = unbase64(content_of(element));
    if (!bytes) continue;
    auto json = nlohmann::ordered_json::parse(*bytes, nullptr, false);
    if (json.is_discarded()) continue;
    set_text(element, base64(edit(json)));
    any = true;
  }
  return any;
}

bool payload_unknown_foreign(xmlDocPtr doc, std::mt19937& rng) {
  return in_xml_payloads(doc, rng, unknown_foreign_everywhere, Encoding::utf8);
}
bool payload_unknown_own(xmlDocPtr doc, std::mt19937& rng) {
  return in_xml_payloads(doc, rng, unknown_own_everywhere, Encoding::utf8);
}
bool payload_unknown_at_random(xmlDocPtr doc, std::mt19937& rng) {
  return in_xml_payloads(doc, rng, unknown_at_random, Encoding::utf8);
}
bool payload_values_as_cdata(xmlDocPtr doc, std::mt19937& rng) {
  return in_xml_payloads(doc, rng, values_as_cdata, Encoding::utf8);
}
bool payload_iso8859_1(xmlDocPtr doc, std::mt19937& rng) {
  return in_xml_payloads(doc, rng, nullptr, Encoding::iso8859_1);
}

bool json_pretty_printed(xmlDocPtr doc, std::mt19937&) {
  return in_json_payloads(doc, [](const nlohmann::ordered_json& j) { return j.dump(2); });
}

// \u00f6 for ö and so on: the same JSON string.
bool json_ascii_escaped(xmlDocPtr doc, std::mt19937&) {
  return in_json_payloads(doc, [](const nlohmann::ordered_json& j) { return j.dump(-1, ' ', true); });
}

// Members in another order (nlohmann::json keeps them sorted by name).
bool json_members_reordered(xmlDocPtr doc, std::mt19937&) {
  return in_json_payloads(doc, [](const nlohmann::ordered_json& j) { return nlohmann::json::parse(j.dump()).dump(); });
}

void add_unknown_members(nlohmann::ordered_json& j) {
  if (j.is_object()) {
    for (auto& [key, value] : j.items()) add_unknown_members(value);
    j["okandUppgift"] = "okänd uppgift från en nyare version";
  } else if (j.is_array()) {
    for (auto& item : j) add_unknown_members(item);
  }
}

// A member LEFI may add in a later version, in every object.
bool json_unknown_members(xmlDocPtr doc, std::mt19937&) {
  return in_json_payloads(doc, [](nlohmann::ordered_json j) {
    add_unknown_members(j);
    return j.dump();
  });
}

bool payload_prefixes_jaxws(xmlDocPtr doc, std::mt19937& rng) {
  return in_xml_payloads(doc, rng, prefixes_jaxws, Encoding::utf8);
}
bool payload_prefixes_rotated(xmlDocPtr doc, std::mt19937& rng) {
  return in_xml_payloads(doc, rng, prefixes_rotated, Encoding::utf8);
}
bool payload_default_namespaces(xmlDocPtr doc, std::mt19937& rng) {
  return in_xml_payloads(doc, rng, default_namespaces, Encoding::utf8);
}
bool payload_whitespace_stripped(xmlDocPtr doc, std::mt19937& rng) {
  return in_xml_payloads(doc, rng, whitespace_stripped, Encoding::utf8);
}
bool payload_whitespace_reindented(xmlDocPtr doc, std::mt19937& rng) {
  return in_xml_payloads(doc, rng, whitespace_reindented, Encoding::utf8);
}

// ---- the list ------------------------------------------------------------------------------------

constexpr std::array kEdits = {
    Edit{"header.wsa_added", Family::header, wsa_header_added},
    Edit{"header.empty_added", Family::header, empty_header_added},
    Edit{"header.removed", Family::header, header_removed},
    Edit{"unknown.foreign_ns_everywhere", Family::unknown_elements, unknown_foreign_everywhere},
    Edit{"unknown.own_ns_everywhere", Family::unknown_elements, unknown_own_everywhere},
    Edit{"unknown.in_every_data_and_svarsdata", Family::unknown_elements, unknown_in_every_data},
    Edit{"unknown.at_random", Family::unknown_elements, unknown_at_random},
    Edit{"unknown.body_entry_after_response", Family::unknown_elements, body_entry_after_response},
    Edit{"unknown.body_entry_before_response", Family::unknown_elements, body_entry_before_response},
    Edit{"unknown.envelope_entry_after_body", Family::unknown_elements, envelope_entry_after_body},
    Edit{"removed.ssbtek_echo", Family::removal, ssbtek_echo_removed},
    Edit{"removed.source_echo", Family::removal, source_echo_removed},
    Edit{"removed.optional_unread", Family::removal, optional_unread_removed},
    Edit{"payload.prefixes_jaxws", Family::payload, payload_prefixes_jaxws},
    Edit{"payload.prefixes_rotated", Family::payload, payload_prefixes_rotated},
    Edit{"payload.default_namespaces", Family::payload, payload_default_namespaces},
    Edit{"payload.unknown_foreign_ns_everywhere", Family::payload, payload_unknown_foreign},
    Edit{"payload.unknown_own_ns_everywhere", Family::payload, payload_unknown_own},
    Edit{"payload.unknown_at_random", Family::payload, payload_unknown_at_random},
    Edit{"payload.values_as_cdata", Family::payload, payload_values_as_cdata},
    Edit{"payload.whitespace_stripped", Family::payload, payload_whitespace_stripped},
    Edit{"payload.whitespace_reindented", Family::payload, payload_whitespace_reindented},
    Edit{"payload.iso8859_1", Family::payload, payload_iso8859_1},
    Edit{"payload.json_pretty_printed", Family::payload, json_pretty_printed},
    Edit{"payload.json_ascii_escaped", Family::payload, json_ascii_escaped},
    Edit{"payload.json_members_reordered", Family::payload, json_members_reordered},
    Edit{"payload.json_unknown_members", Family::payload, json_unknown_members},
    Edit{"text.svar_as_cdata", Family::text_form, svar_as_cdata},
    Edit{"text.svar_as_escaped_text", Family::text_form, svar_as_escaped_text},
    Edit{"text.values_as_cdata", Family::text_form, values_as_cdata},
    Edit{"text.values_split_text_and_cdata", Family::text_form, values_split},
    Edit{"text.comments_between_and_inside_values", Family::text_form, comments_added},
    Edit{"base64.wrapped_76_lf", Family::text_form, base64_wrapped_76_lf},
    Edit{"base64.wrapped_76_crlf", Family::text_form, base64_wrapped_76_crlf},
    Edit{"base64.wrapped_64_indented", Family::text_form, base64_wrapped_indented},
    Edit{"prefixes.jaxws", Family::namespaces, prefixes_jaxws},
    Edit{"prefixes.rotated", Family::namespaces, prefixes_rotated},
    Edit{"prefixes.default_namespaces", Family::namespaces, default_namespaces},
    Edit{"whitespace.stripped", Family::whitespace, whitespace_stripped},
    Edit{"whitespace.reindented", Family::whitespace, whitespace_reindented},
};

Edit edit(std::string_view name) {
  return *std::ranges::find(kEdits, name, &Edit::name);
}

Variant combined(std::vector<Edit> edits, Encoding encoding, bool pretty_printed) {
  std::ranges::sort(edits, {}, &Edit::family);
  std::string name = "combined(";
  for (const Edit& e : edits) name += std::string(e.name) + " + ";
  name += encoding_name(encoding);
  name += pretty_printed ? ", pretty-printed)" : ")";
  return Variant{std::move(name), std::move(edits), encoding, pretty_printed};
}

// The whole reply as libxml2 dumps a document, declaration and all.
std::string dumped(xmlDocPtr doc, Encoding encoding, bool pretty_printed) {
  xmlChar* buffer = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(doc, &buffer, &size, encoding_name(encoding), pretty_printed ? 1 : 0);
  std::string out(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
  xmlFree(buffer);
  return out;
}

Doc parsed(std::string_view reply) {
  return Doc(xmlReadMemory(reply.data(), static_cast<int>(reply.size()), "reply.xml", nullptr, XML_PARSE_NONET));
}

RenderedReply rendered(xmlDocPtr doc, Encoding encoding, bool pretty_printed) {
  return RenderedReply{dumped(doc, encoding, pretty_printed),
                       std::string("text/xml; charset=") + encoding_name(encoding)};
}

}  // namespace

std::optional<RenderedReply> render(std::string_view reply, const Variant& variant, std::uint32_t seed) {
  Doc doc = parsed(reply);
  if (!doc) return std::nullopt;
  std::mt19937 rng(seed);
  bool changed = variant.edits.empty();
  for (const Edit& e : variant.edits) changed = e.apply(doc.get(), rng) || changed;
  if (!changed) return std::nullopt;
  return rendered(doc.get(), variant.encoding, variant.pretty_printed);
}

std::vector<Variant> all_variants(std::uint32_t seed, int random_combinations) {
  std::vector<Variant> out;
  // The plain reply through the same parse and serialise: a difference here is the harness's.
  out.push_back(Variant{"reserialised", {}});
  for (const Edit& e : kEdits) out.push_back(Variant{std::string(e.name), {e}});
  for (int i = 2; i <= 3; ++i) {
    out.push_back(Variant{"unknown.at_random#" + std::to_string(i), {edit("unknown.at_random")}});
  }
  out.push_back(Variant{"whitespace.pretty_printed", {edit("whitespace.stripped")}, Encoding::utf8, true});
  out.push_back(Variant{"encoding.iso8859_1", {}, Encoding::iso8859_1});
  out.push_back(Variant{"encoding.iso8859_1_pretty_printed", {edit("whitespace.stripped")}, Encoding::iso8859_1, true});
  // Every non-ASCII character as a character reference (&#246; for ö), as some stacks write them.
  out.push_back(Variant{"encoding.us_ascii", {}, Encoding::us_ascii});
  out.push_back(Variant{"encoding.utf16", {}, Encoding::utf16});

  out.push_back(combined({edit("header.wsa_added"), edit("prefixes.jaxws"), edit("whitespace.stripped")},
                         Encoding::iso8859_1, false));
  out.push_back(combined(
      {edit("prefixes.default_namespaces"), edit("unknown.foreign_ns_everywhere"), edit("base64.wrapped_76_crlf")},
      Encoding::utf8, true));
  out.push_back(combined({edit("unknown.own_ns_everywhere"), edit("removed.optional_unread"),
                          edit("text.svar_as_cdata"), edit("whitespace.reindented")},
                         Encoding::iso8859_1, false));
  out.push_back(
      combined({edit("header.empty_added"), edit("unknown.in_every_data_and_svarsdata"), edit("removed.source_echo"),
                edit("text.values_split_text_and_cdata"), edit("prefixes.rotated"), edit("whitespace.stripped")},
               Encoding::utf8, false));

  // Drawn once from `seed`: the same combinations for every fixture, and in every run.
  std::mt19937 rng(seed);
  std::map<Family, std::vector<Edit>> by_family;
  for (const Edit& e : kEdits) {
    // A second body entry first is a reading question of its own; it stays out of combinations.
    if (e.name != "unknown.body_entry_before_response") by_family[e.family].push_back(e);
  }
  for (int i = 0; i < random_combinations; ++i) {
    std::vector<Edit> edits;
    for (const auto& [family, members] : by_family) {
      if (rng() % 3 != 0) edits.push_back(members[rng() % members.size()]);
    }
    constexpr std::array kEncodings = {Encoding::utf8, Encoding::iso8859_1, Encoding::us_ascii, Encoding::utf16};
    const Encoding encoding = kEncodings[rng() % kEncodings.size()];
    const bool pretty = rng() % 3 == 0;
    out.push_back(combined(std::move(edits), encoding, pretty));
  }
  return out;
}

std::optional<RenderedReply> with_unknown_element_in_data(std::string_view reply, std::string_view source) {
  Doc doc = parsed(reply);
  if (!doc) return std::nullopt;
  for (const auto& [name, data] : source_data(doc.get())) {
    if (name != source) continue;
    // First, not last: AF's and TNS's schemas end their content in wildcards, which would make an
    // appended element valid and so no departure at all.
    insert_unknown(data, xmlFirstElementChild(data), false);
    return rendered(doc.get(), Encoding::utf8, false);
  }
  return std::nullopt;
}

}  // namespace knutpunkt::ssbtek::mutation
