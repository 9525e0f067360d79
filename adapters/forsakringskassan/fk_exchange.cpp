#include "fk_exchange.h"

#include "mapping/source_outcome.h"

namespace knutpunkt::forsakringskassan {

namespace {

std::string path_prefix(const FkConfig& config) {
  return config.url.target + "/";
}

std::string lefi_base(const FkConfig& config) {
  return path_prefix(config) + "lefi-extern-formansinformation/v9/aktorer/" + config.aktorsid;
}

void add_group_list(nlohmann::json& body, const char* key, const std::vector<std::string>& groups) {
  if (!groups.empty()) body[key] = groups;  // LEFI: uniqueItems arrays; an empty one asks for nothing
}

SourceOutcome failed(const std::string& source, SourceStatus status, std::string code, std::string message) {
  SourceOutcome outcome;
  outcome.source = source;
  outcome.status = status;
  outcome.partner_code = std::move(code);
  outcome.partner_message = std::move(message);
  return outcome;
}

SourceOutcome transport_failure(const std::string& source, const net::TransportError& error) {
  switch (error.kind) {
    case net::TransportErrorKind::timeout:
      return failed(source, SourceStatus::timeout, "timeout",
                    "no answer from Försäkringskassan within the source deadline");
    case net::TransportErrorKind::connect_failed:
      return failed(source, SourceStatus::unavailable, "connect_failed", "Försäkringskassan could not be reached");
    case net::TransportErrorKind::connection_lost:
      return failed(source, SourceStatus::unavailable, "connection_lost",
                    "Försäkringskassan closed the connection without a complete answer");
    case net::TransportErrorKind::too_large:
      return failed(source, SourceStatus::error, "reply_too_large",
                    "Försäkringskassan's answer exceeds the configured size limit");
    case net::TransportErrorKind::tls_failed:
      // The reason (whose certificate, what is wrong) names no person: it goes to the audit record
      // and the caller so an operator can act on it.
      return failed(source, SourceStatus::unavailable, "tls_failed",
                    "no TLS session with Försäkringskassan: " + error.message);
    case net::TransportErrorKind::protocol:
      break;
  }
  return failed(source, SourceStatus::error, "protocol_error", "Försäkringskassan's answer is not valid HTTP");
}

// LefiFelsvar.meddelande is written for operators and, by LEFI's contract, holds no personnummer;
// it is still cut short so a misbehaving partner cannot flood our records.
std::string felsvar_message(const std::string& body, unsigned status) {
  std::string message = "Försäkringskassan answered HTTP " + std::to_string(status);
  if (mapping::json_nesting_depth(body) > 8) return message;
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    auto it = parsed.find("meddelande");
    if (it != parsed.end() && it->is_string()) {
      std::string text = it->get<std::string>();
      if (text.size() > 300) text.resize(300);
      message += ": " + text;
    }
  }
  return message;
}

}  // namespace

nlohmann::json build_question(const LookupQuery& query, const std::string& source, const FkConfig& config) {
  nlohmann::json body{{"personnummer", query.person_id},
                      {"period", {{"from", query.period_from}, {"tom", query.period_to}}}};
  if (source == kFormaner) {
    add_group_list(body, "formansinformation", config.information.formansinformation);
    add_group_list(body, "ansprak", config.information.ansprak);
    add_group_list(body, "utbetalningar", config.information.utbetalningar);
    add_group_list(body, "ovrigInformation", config.information.ovrig_information);
  }
  return body;
}

net::HttpRequest build_request(const LookupQuery& query, const std::string& source, const FkConfig& config) {
  net::HttpRequest request;
  // A question (benefits, ongoing cases) changes nothing at LEFI: asking again is safe.
  request.safe_to_repeat = true;
  request.method = "POST";
  request.url = config.url;
  request.tls = config.tls_profile;
  request.url.target = source == kFormaner ? lefi_base(config) + "/formansinformation/fraga"
                                           : path_prefix(config) + "fk-pagaende-arenden/v1/aktorer/" + config.aktorsid +
                                                 "/arenden/fraga";
  request.content_type = "application/json";
  request.body = build_question(query, source, config).dump();
  request.headers.emplace_back("Authorization", "Bearer " + config.token);
  request.headers.emplace_back("Accept", "application/json");
  // The lookup id lets FK's support find the call in their logs without any personal data.
  if (!query.lookup_id.empty()) request.headers.emplace_back("X-Request-Id", query.lookup_id);
  return request;
}

net::HttpRequest build_health_request(const FkConfig& config) {
  net::HttpRequest request;
  request.safe_to_repeat = true;
  request.method = "GET";
  request.url = config.url;
  request.tls = config.tls_profile;
  request.url.target = lefi_base(config) + "/tillgangligaInformationstyper";
  request.headers.emplace_back("Authorization", "Bearer " + config.token);
  request.headers.emplace_back("Accept", "application/json");
  return request;
}

SourceOutcome read_reply(const std::string& source, const net::HttpResult& result, const mapping::Mapping& mapping,
                         const ReplyLimits& limits) {
  return read_reply(source, result, mapping::VersionedMapping({mapping}), limits);
}

SourceOutcome read_reply(const std::string& source, const net::HttpResult& result,
                         const mapping::VersionedMapping& mapping, const ReplyLimits& limits) {
  if (!result) return transport_failure(source, result.error());
  const net::HttpResponse& response = *result;
  const std::string code = "http_" + std::to_string(response.status);
  if (response.status >= 500 || response.status == 408 || response.status == 429) {
    return failed(source, SourceStatus::unavailable, code, felsvar_message(response.body, response.status));
  }
  if (response.status < 200 || response.status >= 300) {
    // 400 (bad question, e.g. a period over two years), 401/403 (not authorised for the actor):
    // retrying the same question cannot help.
    return failed(source, SourceStatus::error, code, felsvar_message(response.body, response.status));
  }
  return mapping::map_json_reply(
      source, response.body, mapping,
      mapping::ApplyLimits{.max_decoded_bytes = limits.max_bytes, .max_json_depth = limits.max_depth},
      "Försäkringskassan");
}

}  // namespace knutpunkt::forsakringskassan
