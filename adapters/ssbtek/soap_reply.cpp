#include "soap_reply.h"

#include "ssbtek_sources.h"

#include <algorithm>

namespace knutpunkt::ssbtek {

namespace {

bool is(xmlNodePtr node, std::string_view ns, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && xml::local_name(node) == name && xml::namespace_uri(node) == ns;
}

xmlNodePtr child(xmlNodePtr parent, std::string_view ns, std::string_view name) {
  if (parent == nullptr) return nullptr;
  for (xmlNodePtr c = parent->children; c != nullptr; c = c->next) {
    if (is(c, ns, name)) return c;
  }
  return nullptr;
}

// Fault children (faultcode, faultstring, detail) are unqualified in SOAP 1.1.
xmlNodePtr unqualified_child(xmlNodePtr parent, std::string_view name) {
  if (parent == nullptr) return nullptr;
  for (xmlNodePtr c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && xml::local_name(c) == name) return c;
  }
  return nullptr;
}

std::string messages(xmlNodePtr parent) {
  std::string out;
  for (xmlNodePtr c = parent->children; c != nullptr; c = c->next) {
    if (!is(c, kSsbtNs, "felmeddelande")) continue;
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
  xmlNodePtr payload = nullptr;
  if (body != nullptr) {
    for (xmlNodePtr c = body->children; c != nullptr && payload == nullptr; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) payload = c;
    }
  }
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
        if (xmlNodePtr felkod = child(c, kSsbtNs, "felkod")) failure.code = xml::text(felkod);
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

std::string first_line(const std::string& text) {
  std::size_t end = std::min(text.find('\n'), text.size());
  if (end > 300) {
    end = 300;
    // Not between the bytes of one character (libxml2 quotes names and values, å, ä and ö
    // included): the message goes into the audit record, whose canonical JSON refuses broken UTF-8,
    // and the lookup would then fail as audit_unavailable.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  }
  return text.substr(0, end);
}

}  // namespace

std::expected<xml::Document, ReplyFailure> read_fetch_reply(const net::HttpResult& result, const std::string& source,
                                                            const xml::Schema& schema, std::size_t max_bytes) {
  if (!result) return std::unexpected(transport_failure(result.error()));
  auto document = parse_body(*result, max_bytes);
  if (!document) return std::unexpected(document.error());
  auto payload = body_payload(*document, result->status);
  if (!payload) return std::unexpected(payload.error());
  if (!is(*payload, kSsbtNs, "hamtaBastjanstInformationResponse")) {
    return std::unexpected(ReplyFailure{SourceStatus::error, "unexpected_reply", "SSBTEK answered with an unexpected element"});
  }
  if (auto valid = schema.validate(*payload); !valid) {
    // The first schema message names the element and line: what an operator needs, and it is
    // returned to the client and the audit log only, never to application logs.
    return std::unexpected(ReplyFailure{SourceStatus::error, "schema_invalid",
                                        "SSBTEK's answer does not match the contract: " + first_line(valid.error().message)});
  }
  xmlNodePtr svar = child(child(*payload, kSsbtNs, "svarsdata"), kSsbtNs, source);
  if (svar == nullptr) {
    return std::unexpected(ReplyFailure{SourceStatus::error, "source_missing", "SSBTEK's answer holds nothing for this source"});
  }
  if (xmlNodePtr error = child(svar, kSsbtNs, "error")) {
    xmlNodePtr kalla = child(error, kSsbtNs, "kalla");
    xmlNodePtr felkod = child(error, kSsbtNs, "felkod");
    // kalla SSBT: the composite service could not reach the source (e.g. its own timeout), so the
    // source is unavailable; kalla BT: the source itself refused or failed the question.
    const bool composite = kalla != nullptr && xml::text(kalla) == "SSBT";
    return std::unexpected(ReplyFailure{composite ? SourceStatus::unavailable : SourceStatus::error,
                                        felkod ? xml::text(felkod) : "unknown", messages(error)});
  }
  return std::move(*document);
}

TestOutcome read_test_reply(const net::HttpResult& result, const xml::Schema& schema) {
  if (!result) return {false, std::string(net::to_string(result.error().kind))};
  auto document = parse_body(*result, 1024 * 1024);
  if (!document) return {false, document.error().code};
  auto payload = body_payload(*document, result->status);
  if (!payload) return {false, payload.error().code};
  if (!is(*payload, kSsbtNs, "testaBastjanstInformationResponse")) return {false, "unexpected_reply"};
  if (auto valid = schema.validate(*payload); !valid) return {false, "schema_invalid"};
  std::string failing;
  for (xmlNodePtr c = (*payload)->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    xmlNodePtr called = child(c, kSsbtNs, "anropad");
    const bool ok = called != nullptr && xml::text(called) == "true" && child(c, kSsbtNs, "error") == nullptr;
    if (ok) continue;
    if (!failing.empty()) failing += ",";
    failing += xml::local_name(c);
  }
  if (!failing.empty()) return {false, "sources not answering: " + failing};
  return {true, {}};
}

}  // namespace knutpunkt::ssbtek
