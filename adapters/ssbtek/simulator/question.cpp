#include "question.h"

#include <libxml/parser.h>
#include <libxml/xmlIO.h>

#include <regex>
#include <string_view>

namespace knutpunkt::ssbtek_simulator {

namespace {

void append_error(void* sink, xmlError* error) {
  auto* errors = static_cast<std::vector<std::string>*>(sink);
  if (error != nullptr && error->message != nullptr) errors->emplace_back(error->message);
}

bool is(const xmlNode* node, std::string_view ns, std::string_view local) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         ns == reinterpret_cast<const char*>(node->ns->href) && local == reinterpret_cast<const char*>(node->name);
}

xmlNode* next_element(xmlNode* node) {
  for (; node != nullptr; node = node->next)
    if (node->type == XML_ELEMENT_NODE) return node;
  return nullptr;
}

xmlNode* child(xmlNode* parent, std::string_view local) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* n = next_element(parent->children); n != nullptr; n = next_element(n->next))
    if (is(n, kSsbtNs, local)) return n;
  return nullptr;
}

std::string text(xmlNode* node) {
  if (node == nullptr) return {};
  xmlChar* content = xmlNodeGetContent(node);
  std::string out = content != nullptr ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  // xs:token and xs:date values may carry surrounding whitespace.
  const auto first = out.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(" \t\r\n") - first + 1);
}

std::optional<std::string> optional_text(xmlNode* node) {
  if (node == nullptr) return std::nullopt;
  return text(node);
}

// xs:date may carry a time zone; the simulator compares calendar dates.
std::string calendar_date(const std::string& value) {
  return value.substr(0, 10);
}

Period read_period(xmlNode* tidsperiod) {
  return {calendar_date(text(child(tidsperiod, "fromDatum"))), calendar_date(text(child(tidsperiod, "tomDatum")))};
}

// Validation messages quote the offending values; a fault may end up in someone's log, so the
// values (which can be a personnummer) are masked and only the element and the rule remain.
std::string without_values(std::string message) {
  static const std::regex quoted_value{R"(The value '[^']*')"};
  static const std::regex atomic_value{R"(: '[^']*' is not)"};
  message = std::regex_replace(message, quoted_value, "The value");
  message = std::regex_replace(message, atomic_value, ": the value is not");
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

}  // namespace

std::expected<QuestionSchema, std::string> QuestionSchema::load(const std::string& path) {
  std::vector<std::string> errors;
  xmlSchemaParserCtxt* parser = xmlSchemaNewParserCtxt(path.c_str());
  if (parser == nullptr) return std::unexpected("cannot open schema " + path);
  xmlSchemaSetParserStructuredErrors(parser, append_error, &errors);
  xmlSchema* compiled = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  if (compiled == nullptr)
    return std::unexpected("schema " + path + " does not compile: " + (errors.empty() ? "" : errors.front()));
  QuestionSchema schema;
  schema.schema_ = std::shared_ptr<xmlSchema>(compiled, Free{});
  return schema;
}

std::expected<Question, QuestionError> read_question(const std::string& body, const QuestionSchema& schema) {
  std::vector<std::string> errors;
  // NONET: no network fetches; no NOENT/DTDLOAD: entities stay unexpanded and no external DTD is read.
  xmlParserCtxt* parser = xmlNewParserCtxt();
  if (parser == nullptr) return std::unexpected(QuestionError{"SSBT-002", "Frågan kunde inte läsas"});
  xmlSetStructuredErrorFunc(&errors, append_error);
  std::shared_ptr<xmlDoc> doc(xmlCtxtReadMemory(parser, body.data(), static_cast<int>(body.size()), "question.xml",
                                                nullptr, XML_PARSE_NONET | XML_PARSE_NOBLANKS),
                              XmlDocFree{});
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  xmlFreeParserCtxt(parser);
  if (!doc) return std::unexpected(QuestionError{"SSBT-002", "Frågan är inte välformad XML"});
  if (doc->intSubset != nullptr || doc->extSubset != nullptr)
    return std::unexpected(QuestionError{"SSBT-002", "Frågan får inte innehålla en DTD"});

  xmlNode* envelope = xmlDocGetRootElement(doc.get());
  if (!is(envelope, kSoapNs, "Envelope"))
    return std::unexpected(QuestionError{"SSBT-002", "Frågan är inte ett SOAP 1.1-kuvert (soap:Envelope saknas)"});
  xmlNode* body_element = next_element(envelope->children);
  if (is(body_element, kSoapNs, "Header")) body_element = next_element(body_element->next);
  if (!is(body_element, kSoapNs, "Body"))
    return std::unexpected(QuestionError{"SSBT-002", "SOAP-kuvertet saknar soap:Body"});
  xmlNode* payload = next_element(body_element->children);
  if (payload == nullptr) return std::unexpected(QuestionError{"SSBT-002", "soap:Body är tom"});

  Question question;
  if (is(payload, kSsbtNs, "hamtaBastjanstInformation")) {
    question.operation = Operation::hamta;
  } else if (is(payload, kSsbtNs, "testaBastjanstInformation")) {
    question.operation = Operation::testa;
  } else {
    return std::unexpected(QuestionError{
        "SSBT-003", "Okänd operation: " + std::string(reinterpret_cast<const char*>(payload->name)) +
                        " (väntade ssbt:hamtaBastjanstInformation eller ssbt:testaBastjanstInformation)"});
  }

  xmlSchemaValidCtxt* validator = xmlSchemaNewValidCtxt(const_cast<xmlSchema*>(schema.get()));
  xmlSchemaSetValidStructuredErrors(validator, append_error, &errors);
  const int verdict = xmlSchemaValidateOneElement(validator, payload);
  xmlSchemaFreeValidCtxt(validator);
  if (verdict != 0)
    return std::unexpected(QuestionError{
        "SSBT-001",
        "Frågan följer inte schemat: " + (errors.empty() ? std::string("okänt fel") : without_values(errors.front())),
        question.operation});

  question.document = doc;
  if (question.operation == Operation::testa) {
    question.sources.assign(kSources.begin(), kSources.end());
    return question;
  }

  xmlNode* generella = child(payload, "generellaFrageparametrar");
  xmlNode* specifika = child(payload, "specifikaFrageparametrar");
  question.generella = generella;
  question.specifika = specifika;
  question.fragetidpunkt = optional_text(child(generella, "frageTidpunkt"));
  question.korrelationsid = optional_text(child(generella, "korrelationsid"));
  const std::string echo = text(child(generella, "fraganSkallInkluderasISvaret"));
  question.echo_question = echo == "true" || echo == "1";
  xmlNode* ingivare = child(generella, "ingivare");
  question.ingivare = {text(child(ingivare, "organisationsnummer")), text(child(ingivare, "namn")),
                       text(child(ingivare, "handlaggare"))};
  question.personidentitet = text(child(generella, "personidentitet"));
  question.arendeidentitet = text(child(generella, "arendeidentitet"));
  question.period = read_period(child(generella, "tidsperiod"));
  for (xmlNode* n = next_element(generella->children); n != nullptr; n = next_element(n->next))
    if (is(n, kSsbtNs, "personuppgiftsbitrade"))
      question.bitraden.push_back({text(child(n, "organisationsnummer")), text(child(n, "namn"))});
  question.syfte = text(child(generella, "syfte"));
  question.lagtext = text(child(generella, "lagtext"));
  if (question.period.from > question.period.to)
    return std::unexpected(QuestionError{"SSBT-004", "tidsperiod: fromDatum är senare än tomDatum"});

  for (Source source : kSources) {
    xmlNode* element = child(specifika, name(source));
    xmlChar* inkludera = xmlGetProp(element, BAD_CAST "inkludera");
    const std::string flag = inkludera != nullptr ? reinterpret_cast<const char*>(inkludera) : "";
    xmlFree(inkludera);
    if (flag != "true" && flag != "1") continue;
    question.sources.push_back(source);
    xmlNode* own = child(element, "tidsperiod");
    Period period = own != nullptr ? read_period(own) : question.period;
    if (period.from > period.to)
      return std::unexpected(
          QuestionError{"SSBT-004", std::string(name(source)) + "/tidsperiod: fromDatum är senare än tomDatum"});
    question.source_periods[source] = period;
  }
  return question;
}

}  // namespace knutpunkt::ssbtek_simulator
