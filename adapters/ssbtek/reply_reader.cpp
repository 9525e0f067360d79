#include "reply_reader.h"

#include <algorithm>

#include "mapping/source_outcome.h"
#include "ssbtek_sources.h"

namespace knutpunkt::ssbtek {

namespace {

// Why a source (or every source of a call) has no data: a status with the partner's code.
struct ReplyFailure {
  SourceStatus status = SourceStatus::error;
  std::string code;     // the partner's felkod / faultcode, or ours (e.g. "not_soap")
  std::string message;  // the partner's felmeddelande / faultstring, or a short description
};

// An element's local name and namespace as views into the document: these tests run for every
// element the reader walks past, and need no copy of either.
std::string_view name_of(xmlNodePtr element) {
  return element->name != nullptr ? reinterpret_cast<const char*>(element->name) : "";
}
std::string_view namespace_of(xmlNodePtr element) {
  return element->ns != nullptr && element->ns->href != nullptr ? reinterpret_cast<const char*>(element->ns->href) : "";
}

bool is(xmlNodePtr node, std::string_view ns, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && name_of(node) == name && namespace_of(node) == ns;
}

// An element of SSBTEK's own namespace, in any contract version this gateway reads.
bool is_ssbt(xmlNodePtr node, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && name_of(node) == name &&
         is_ssbtek_namespace(namespace_of(node));
}

xmlNodePtr child(xmlNodePtr parent, std::string_view ns, std::string_view name) {
  if (parent == nullptr) return nullptr;
  for (xmlNodePtr c = parent->children; c != nullptr; c = c->next) {
    if (is(c, ns, name)) return c;
  }
  return nullptr;
}

xmlNodePtr ssbt_child(xmlNodePtr parent, std::string_view name) {
  if (parent == nullptr) return nullptr;
  for (xmlNodePtr c = parent->children; c != nullptr; c = c->next) {
    if (is_ssbt(c, name)) return c;
  }
  return nullptr;
}

// Fault children (faultcode, faultstring, detail) are unqualified in SOAP 1.1.
xmlNodePtr unqualified_child(xmlNodePtr parent, std::string_view name) {
  if (parent == nullptr) return nullptr;
  for (xmlNodePtr c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && name_of(c) == name) return c;
  }
  return nullptr;
}

std::string messages(xmlNodePtr parent) {
  std::string out;
  for (xmlNodePtr c = parent->children; c != nullptr; c = c->next) {
    if (!is_ssbt(c, "felmeddelande")) continue;
    if (!out.empty()) out += "; ";
    out += xml::text(c);
  }
  return out;
}

ReplyFailure transport_failure(const net::TransportError& error) {
  switch (error.kind) {
    case net::TransportErrorKind::timeout:
      return {SourceStatus::timeout, "timeout", "no answer from SSBTEK within the source deadline"};
    case net::TransportErrorKind::connect_failed:
      return {SourceStatus::unavailable, "connect_failed", "SSBTEK could not be reached"};
    case net::TransportErrorKind::connection_lost:
      return {SourceStatus::unavailable, "connection_lost", "SSBTEK closed the connection without a complete answer"};
    case net::TransportErrorKind::too_large:
      return {SourceStatus::error, "reply_too_large", "SSBTEK's answer exceeds the configured size limit"};
    case net::TransportErrorKind::tls_failed:
      // The reason (whose certificate, what is wrong) names no person: it goes to the audit record
      // and the caller so an operator can act on it.
      return {SourceStatus::unavailable, "tls_failed", "no TLS session with SSBTEK: " + error.message};
    case net::TransportErrorKind::protocol:
      break;
  }
  return {SourceStatus::error, "protocol_error", "SSBTEK's answer is not valid HTTP"};
}

std::expected<xml::Document, ReplyFailure> parse_body(const net::HttpResponse& response, std::size_t max_bytes) {
  auto document = xml::Document::parse(response.body, xml::ParseLimits{max_bytes});
  if (!document) {
    if (response.status != 200) {
      return std::unexpected(ReplyFailure{SourceStatus::unavailable, "http_" + std::to_string(response.status),
                                          "SSBTEK answered with HTTP status " + std::to_string(response.status)});
    }
    // libxml2's message can quote the payload; only the code leaves this function.
    return std::unexpected(ReplyFailure{SourceStatus::error, "malformed_reply",
                                        "SSBTEK's answer is not well-formed XML (" + document.error().code + ")"});
  }
  return std::move(*document);
}

// The Body's single payload element, or a failure for a fault / a non-SOAP answer.
std::expected<xmlNodePtr, ReplyFailure> body_payload(const xml::Document& document, unsigned http_status) {
  xmlNodePtr envelope = document.root();
  if (!is(envelope, kSoapEnvelopeNs, "Envelope")) {
    return std::unexpected(ReplyFailure{SourceStatus::error, "not_soap", "SSBTEK's answer is not a SOAP 1.1 envelope"});
  }
  xmlNodePtr body = child(envelope, kSoapEnvelopeNs, "Body");
  // A Fault or SSBTEK's own element, wherever it is among the Body's entries (a stack may add
  // entries of its own); otherwise the first entry, to be refused as unexpected.
  xmlNodePtr payload = nullptr;
  xmlNodePtr first = nullptr;
  for (xmlNodePtr c = body != nullptr ? body->children : nullptr; c != nullptr && payload == nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (first == nullptr) first = c;
    if (is(c, kSoapEnvelopeNs, "Fault") || is_ssbtek_namespace(namespace_of(c))) payload = c;
  }
  if (payload == nullptr) payload = first;
  if (payload == nullptr) {
    return std::unexpected(ReplyFailure{SourceStatus::error, "not_soap", "SSBTEK's answer has an empty SOAP body"});
  }
  if (is(payload, kSoapEnvelopeNs, "Fault")) {
    ReplyFailure failure{SourceStatus::error, "soap_fault", ""};
    if (xmlNodePtr code = unqualified_child(payload, "faultcode")) failure.code = xml::text(code);
    if (xmlNodePtr text = unqualified_child(payload, "faultstring")) failure.message = xml::text(text);
    // The service's own fault detail carries its felkod, which is what a caseworker can act on.
    if (xmlNodePtr detail = unqualified_child(payload, "detail")) {
      for (xmlNodePtr c = detail->children; c != nullptr; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (xmlNodePtr felkod = ssbt_child(c, "felkod")) failure.code = xml::text(felkod);
        if (std::string m = messages(c); !m.empty()) failure.message = m;
      }
    }
    return std::unexpected(failure);
  }
  if (http_status != 200) {
    return std::unexpected(ReplyFailure{SourceStatus::unavailable, "http_" + std::to_string(http_status),
                                        "SSBTEK answered with HTTP status " + std::to_string(http_status)});
  }
  return payload;
}

// The source a schema finding belongs to: the child of svarsdata above its node (nullptr for
// a finding in the envelope around the sources).
xmlNodePtr source_section(xmlNodePtr node, xmlNodePtr svarsdata) {
  for (xmlNodePtr n = node; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    if (n->parent == svarsdata) return n;
  }
  return nullptr;
}

nlohmann::json deviation(const xml::SchemaFinding& finding, xmlNodePtr from) {
  return {{"kind", finding.kind}, {"path", xml::element_path(finding.node, from)}, {"detail", finding.detail}};
}

SourceOutcome failed(const std::string& source, const ReplyFailure& failure) {
  SourceOutcome outcome;
  outcome.source = source;
  outcome.status = failure.status;
  outcome.partner_code = failure.code;
  outcome.partner_message = failure.message;
  return outcome;
}

ReplyFailure source_error(xmlNodePtr error) {
  xmlNodePtr kalla = ssbt_child(error, "kalla");
  xmlNodePtr felkod = ssbt_child(error, "felkod");
  // kalla SSBT: the composite service gave up on the source: its own deadline for the source
  // passed (felkod TIMEOUT), which the caseworker should read like our own timeout, or it could
  // not reach it (unavailable). kalla BT: the source itself refused or failed the question.
  const std::string code = felkod ? xml::text(felkod) : "unknown";
  SourceStatus status = SourceStatus::error;
  if (kalla != nullptr && xml::text(kalla) == "SSBT") {
    status = code.find("TIMEOUT") != std::string::npos ? SourceStatus::timeout : SourceStatus::unavailable;
  }
  return ReplyFailure{status, code, messages(error)};
}

}  // namespace

ReplyReader::ReplyReader(xml::Schema schema, std::map<std::string, mapping::VersionedMapping> mappings,
                         std::size_t max_reply_bytes)
    : schema_(std::move(schema)), mappings_(std::move(mappings)), max_reply_bytes_(max_reply_bytes) {}

std::expected<ReplyReader, std::string> ReplyReader::load(const std::filesystem::path& schema,
                                                          const std::filesystem::path& mappings,
                                                          std::size_t max_reply_bytes) {
  auto xsd = xml::Schema::load(schema);
  if (!xsd) return std::unexpected(xsd.error().message);
  auto loaded = mapping::load_versioned_mappings(mappings, schema.parent_path());
  if (!loaded) return std::unexpected(loaded.error().where + ": " + loaded.error().message);
  return ReplyReader(std::move(*xsd), std::move(*loaded), max_reply_bytes);
}

std::vector<SourceOutcome> ReplyReader::read(const net::HttpResult& result,
                                             const std::vector<std::string>& sources) const {
  auto every_source = [&](const ReplyFailure& failure) {
    std::vector<SourceOutcome> outcomes;
    for (const auto& source : sources) outcomes.push_back(failed(source, failure));
    return outcomes;
  };
  if (!result) return every_source(transport_failure(result.error()));
  auto document = parse_body(*result, max_reply_bytes_);
  if (!document) return every_source(document.error());
  auto payload = body_payload(*document, result->status);
  if (!payload) return every_source(payload.error());
  if (!is_ssbt(*payload, "hamtaBastjanstInformationResponse")) {
    return every_source(
        ReplyFailure{SourceStatus::error, "unexpected_reply", "SSBTEK answered with an unexpected element"});
  }
  xmlNodePtr svarsdata = ssbt_child(*payload, "svarsdata");

  // One validation for the whole reply; each departure goes to the source it is in, and one in
  // the envelope around them to every source, since each source's answer came in it.
  std::map<xmlNodePtr, std::vector<nlohmann::json>> by_section;
  std::vector<nlohmann::json> around;
  // The schema declares SSBTEK's payload, not the SOAP envelope around it.
  for (const auto& finding : schema_.findings(*payload, 256)) {
    if (xmlNodePtr section = source_section(finding.node, svarsdata)) {
      by_section[section].push_back(deviation(finding, section));
    } else {
      around.push_back(deviation(finding, nullptr));
    }
  }

  std::vector<SourceOutcome> outcomes;
  for (const auto& source : sources) {
    xmlNodePtr section = ssbt_child(svarsdata, source);
    if (section == nullptr) {
      outcomes.push_back(
          failed(source, {SourceStatus::error, "source_missing", "SSBTEK's answer holds nothing for this source"}));
      continue;
    }
    if (xmlNodePtr error = ssbt_child(section, "error")) {
      outcomes.push_back(failed(source, source_error(error)));
      continue;
    }
    const auto mapping = mappings_.find(source);
    if (mapping == mappings_.end()) {
      outcomes.push_back(failed(source, {SourceStatus::error, "mapping_failed", "no mapping for this source"}));
      continue;
    }
    SourceOutcome outcome = mapping::source_outcome(source, mapping->second.apply(*document));
    if (outcome.status == SourceStatus::ok) {
      std::vector<nlohmann::json> deviations = around;
      if (auto found = by_section.find(section); found != by_section.end()) {
        deviations.insert(deviations.end(), found->second.begin(), found->second.end());
      }
      deviations.insert(deviations.end(), std::make_move_iterator(outcome.deviations.begin()),
                        std::make_move_iterator(outcome.deviations.end()));
      outcome.deviations = std::move(deviations);
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

TestOutcome ReplyReader::read_test(const net::HttpResult& result) const {
  if (!result) return {false, std::string(net::to_string(result.error().kind))};
  auto document = parse_body(*result, 1024 * 1024);
  if (!document) return {false, document.error().code};
  auto payload = body_payload(*document, result->status);
  if (!payload) return {false, payload.error().code};
  if (!is_ssbt(*payload, "testaBastjanstInformationResponse")) return {false, "unexpected_reply"};
  std::string failing;
  for (xmlNodePtr c = (*payload)->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || !is_ssbtek_namespace(xml::namespace_uri(c))) continue;
    xmlNodePtr called = ssbt_child(c, "anropad");
    const bool ok = called != nullptr && xml::text(called) == "true" && ssbt_child(c, "error") == nullptr;
    if (ok) continue;
    if (!failing.empty()) failing += ",";
    failing += xml::local_name(c);
  }
  if (!failing.empty()) return {false, "sources not answering: " + failing};
  return {true, {}};
}

}  // namespace knutpunkt::ssbtek
