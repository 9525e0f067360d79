// The SSBTEK wire contract: every fixture the simulator sends must validate against our XSDs, and
// the XSDs must be strict enough to reject a broken reply. Fixtures are what the adapter and the
// declarative mappings are written against, so a drift between them and the schemas fails here.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlschemas.h>
#include <openssl/evp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view kSsbtNs = "http://schema.forsakringskassan.se/integration/ssbt/10";

const fs::path kSchemaDir{SSBTEK_SCHEMA_DIR};
const fs::path kFixtureDir{SSBTEK_FIXTURE_DIR};

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

struct SchemaFree {
  void operator()(xmlSchema* s) const { xmlSchemaFree(s); }
};
using Schema = std::unique_ptr<xmlSchema, SchemaFree>;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void collect_error(void* sink, const xmlError* error) {
  auto* messages = static_cast<std::string*>(sink);
  if (error != nullptr && error->message != nullptr) *messages += error->message;
}
// libxml2 2.9 (Debian 12) declares the structured handler with a non-const xmlError*.
void collect_error_mutable(void* sink, xmlError* error) {
  collect_error(sink, error);
}

// Partner XML is parsed without network access and without DTD loading or entity expansion.
Doc parse(const std::string& text, std::string& errors) {
  xmlSetStructuredErrorFunc(&errors, collect_error_mutable);
  Doc doc{xmlReadMemory(text.data(), static_cast<int>(text.size()), "fixture.xml", nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOBLANKS)};
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  return doc;
}

Schema load_schema(const std::string& file) {
  // Our schemas import each other by relative path; nothing may come from the network.
  xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
  std::string errors;
  const auto path = (kSchemaDir / file).string();
  xmlSchemaParserCtxt* parser = xmlSchemaNewParserCtxt(path.c_str());
  xmlSchemaSetParserStructuredErrors(parser, collect_error_mutable, &errors);
  Schema schema{xmlSchemaParse(parser)};
  xmlSchemaFreeParserCtxt(parser);
  INFO(file << ": " << errors);
  REQUIRE(schema != nullptr);
  return schema;
}

const xmlSchema* ssbtek_schema() {
  static Schema schema = load_schema("ssbtek-v10.xsd");
  return schema.get();
}
const xmlSchema* csn_schema() {
  static Schema schema = load_schema("csn-svar.xsd");
  return schema.get();
}
const xmlSchema* skv_schema() {
  static Schema schema = load_schema("skv-beskattningsuppgifter.xsd");
  return schema.get();
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

// The element a validator must check: the Body child, or for a SOAP Fault its detail's child.
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

struct Verdict {
  bool valid = false;
  std::string errors;
};

Verdict validate_element(const xmlSchema* schema, xmlNode* element) {
  Verdict verdict;
  xmlSchemaValidCtxt* ctxt = xmlSchemaNewValidCtxt(const_cast<xmlSchema*>(schema));
  xmlSchemaSetValidStructuredErrors(ctxt, collect_error_mutable, &verdict.errors);
  verdict.valid = xmlSchemaValidateOneElement(ctxt, element) == 0;
  xmlSchemaFreeValidCtxt(ctxt);
  return verdict;
}

Verdict validate_document(const xmlSchema* schema, const std::string& text) {
  Verdict verdict;
  Doc doc = parse(text, verdict.errors);
  if (!doc) return verdict;
  return validate_element(schema, xmlDocGetRootElement(doc.get()));
}

// A SOAP message's payload against ssbtek-v10.xsd.
Verdict validate_message(const std::string& text) {
  Verdict verdict;
  Doc doc = parse(text, verdict.errors);
  if (!doc) return verdict;
  xmlNode* payload = payload_element(doc.get());
  if (payload == nullptr) {
    verdict.errors += "no SOAP Body payload";
    return verdict;
  }
  return validate_element(ssbtek_schema(), payload);
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

// The text of the first element named `name` (in any namespace) below `node`.
std::string text_of(xmlNode* node, std::string_view name) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (name == reinterpret_cast<const char*>(node->name)) {
      xmlChar* content = xmlNodeGetContent(node);
      std::string text = content != nullptr ? reinterpret_cast<const char*>(content) : "";
      xmlFree(content);
      return text;
    }
    if (auto found = text_of(node->children, name); !found.empty()) return found;
  }
  return {};
}

std::string fixture_text(const fs::path& fixture, std::string_view element) {
  std::string errors;
  Doc doc = parse(read_file(fixture), errors);
  REQUIRE(doc);
  return text_of(xmlDocGetRootElement(doc.get()), element);
}

std::vector<fs::path> fixtures(std::string_view contains) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(kFixtureDir)) {
    const auto name = entry.path().filename().string();
    if (entry.path().extension() == ".xml" && !name.starts_with("payload-") && name.find(contains) != std::string::npos)
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

}  // namespace

TEST_CASE("every SSBTEK fixture's SOAP payload validates against ssbtek-v10.xsd") {
  const auto all = fixtures("");
  // The fixture set is what others write against: losing files silently would weaken every check.
  REQUIRE(all.size() >= 26);
  for (const auto& fixture : all) {
    const Verdict verdict = validate_message(read_file(fixture));
    INFO(fixture.filename().string() << ": " << verdict.errors);
    CHECK(verdict.valid);
  }
}

TEST_CASE("the fault fixture carries hamtaBastjanstInformationFault in a SOAP 1.1 Fault detail") {
  std::string errors;
  Doc doc = parse(read_file(kFixtureDir / "fault.xml"), errors);
  REQUIRE(doc);
  xmlNode* detail_child = payload_element(doc.get());
  CHECK(is(detail_child, kSsbtNs, "hamtaBastjanstInformationFault"));
  CHECK(text_of(detail_child, "felkod") == "SSBT-900");
}

TEST_CASE("every CSN payload decodes from base64 and validates against csn-svar.xsd") {
  const auto csn = fixtures("CSN");
  REQUIRE(csn.size() >= 3);
  for (const auto& fixture : csn) {
    const std::string decoded = base64_decode(fixture_text(fixture, "svar"));
    INFO(fixture.filename().string());
    REQUIRE_FALSE(decoded.empty());
    const Verdict verdict = validate_document(csn_schema(), decoded);
    INFO(verdict.errors);
    CHECK(verdict.valid);
  }
  const Verdict reader_copy = validate_document(csn_schema(), read_file(kFixtureDir / "payload-CSN.xml"));
  INFO(reader_copy.errors);
  CHECK(reader_copy.valid);
  // The reader's copy is the decoded payload of response-CSN.xml, not a look-alike.
  CHECK(base64_decode(fixture_text(kFixtureDir / "response-CSN.xml", "svar")) ==
        read_file(kFixtureDir / "payload-CSN.xml"));
}

TEST_CASE("the protected person's CSN payload carries the sekretess marker") {
  const std::string decoded = base64_decode(fixture_text(kFixtureDir / "response-protected-CSN.xml", "svar"));
  std::string errors;
  Doc doc = parse(decoded, errors);
  REQUIRE(doc);
  xmlNode* person = nullptr;
  for (xmlNode* n = xmlDocGetRootElement(doc.get())->children; n != nullptr && person == nullptr; n = n->next)
    if (xmlStrEqual(n->name, BAD_CAST "Personer")) person = first_element(n->children);
  REQUIRE(person != nullptr);
  xmlChar* sekretess = xmlGetProp(person, BAD_CAST "sekretess");
  REQUIRE(sekretess != nullptr);
  CHECK(std::string(reinterpret_cast<const char*>(sekretess)) == "J");
  xmlFree(sekretess);
}

TEST_CASE("every SKV svar text validates against skv-beskattningsuppgifter.xsd") {
  const auto skv = fixtures("SKV");
  REQUIRE(skv.size() >= 3);
  for (const auto& fixture : skv) {
    const Verdict verdict = validate_document(skv_schema(), fixture_text(fixture, "svar"));
    INFO(fixture.filename().string() << ": " << verdict.errors);
    CHECK(verdict.valid);
  }
}

TEST_CASE("every FK payload is a LEFI answer in JSON and the protected person is flagged skyddad") {
  for (const auto& fixture : fixtures("FK")) {
    const auto json = nlohmann::json::parse(base64_decode(fixture_text(fixture, "lefiJsonSvar")), nullptr, false);
    INFO(fixture.filename().string());
    REQUIRE_FALSE(json.is_discarded());
    CHECK(json.contains("utlamnare"));
    CHECK(json.contains("formansinformation"));
  }
  const auto lefi =
      nlohmann::json::parse(base64_decode(fixture_text(kFixtureDir / "response-protected-FK.xml", "lefiJsonSvar")));
  CHECK(lefi.at("formansinformation").at("generellPersoninformation").at(0).at("skyddad") == true);
  const auto avvikelse =
      nlohmann::json::parse(base64_decode(fixture_text(kFixtureDir / "response-FK-avvikelse.xml", "lefiJsonSvar")));
  CHECK_FALSE(avvikelse.at("avvikelser").at("utbetalningar").empty());
  CHECK_FALSE(avvikelse.at("formansinformation").at("utbetalningsuppgift").empty());
}

TEST_CASE("Swedish characters survive as UTF-8 in the names fixture") {
  CHECK(fixture_text(kFixtureDir / "response-swedish-names-AF.xml", "Efternamn") == "Öberg-Ärlemyr");
  CHECK(fixture_text(kFixtureDir / "response-swedish-names-AF.xml", "Fornamn") == "Åsa");
}

TEST_CASE("a reply missing a required element does not validate") {
  const std::string af = read_file(kFixtureDir / "response-AF.xml");
  REQUIRE(validate_message(af).valid);
  CHECK_FALSE(validate_message(replace_once(af, "<af:Schemaversion>2.0</af:Schemaversion>", "")).valid);

  const std::string so = read_file(kFixtureDir / "response-SO.xml");
  REQUIRE(validate_message(so).valid);
  CHECK_FALSE(
      validate_message(replace_once(so, "<so:IdentificationNumber>191212121212</so:IdentificationNumber>", "")).valid);
}

TEST_CASE("a source error with an unknown kalla or without felkod does not validate") {
  const std::string error = read_file(kFixtureDir / "response-AF-error.xml");
  REQUIRE(validate_message(error).valid);
  CHECK_FALSE(
      validate_message(replace_once(error, "<ssbt:kalla>BT</ssbt:kalla>", "<ssbt:kalla>XX</ssbt:kalla>")).valid);
  CHECK_FALSE(validate_message(replace_once(error, "<ssbt:felkod>BT-001</ssbt:felkod>", "")).valid);
}

TEST_CASE("a source answering both data and error does not validate") {
  const std::string tns = read_file(kFixtureDir / "response-TNS.xml");
  CHECK_FALSE(
      validate_message(replace_once(tns, "</ssbt:data>",
                                    "</ssbt:data><ssbt:error><ssbt:kalla>BT</ssbt:kalla><ssbt:felkod>1</ssbt:felkod>"
                                    "<ssbt:felmeddelande>x</ssbt:felmeddelande></ssbt:error>"))
          .valid);
}

TEST_CASE("a question with an 11-digit personidentitet or without syfte does not validate") {
  const std::string request = read_file(kFixtureDir / "request-hamtaBastjanstInformation.xml");
  REQUIRE(validate_message(request).valid);
  CHECK_FALSE(validate_message(replace_once(request, "<ssbt:personidentitet>191212121212</ssbt:personidentitet>",
                                            "<ssbt:personidentitet>19121212121</ssbt:personidentitet>"))
                  .valid);
  const auto from = request.find("<ssbt:syfte>");
  const auto to = request.find("</ssbt:syfte>");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  std::string without_syfte = request;
  without_syfte.erase(from, to + std::string_view("</ssbt:syfte>").size() - from);
  CHECK_FALSE(validate_message(without_syfte).valid);
}

TEST_CASE("a CSN payload without its result block does not validate") {
  const std::string payload = read_file(kFixtureDir / "payload-CSN.xml");
  const auto from = payload.find("<csn:GemensamtSvarEkbistand>");
  const auto to = payload.find("</csn:GemensamtSvarEkbistand>");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  std::string broken = payload;
  broken.erase(from, to + std::string_view("</csn:GemensamtSvarEkbistand>").size() - from);
  CHECK_FALSE(validate_document(csn_schema(), broken).valid);
}
