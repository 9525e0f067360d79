#include "af_reply.h"

#include <algorithm>

#include "mapping/source_outcome.h"

namespace knutpunkt::arbetsformedlingen {

namespace {

SourceOutcome failed(const std::string& source, SourceStatus status, std::string code, std::string message) {
  SourceOutcome outcome;
  outcome.source = source;
  outcome.status = status;
  outcome.partner_code = std::move(code);
  outcome.partner_message = std::move(message);
  return outcome;
}

// AF's error body: {"felkod": "...", "felmeddelande": "...", "korrelationsId": "..."}. Only felkod
// and felmeddelande are kept; both are AF's own texts (its messages never quote the person).
void read_af_error(std::string_view body, std::size_t max_depth, SourceOutcome& outcome) {
  if (mapping::json_nesting_depth(body) > max_depth) return;
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return;
  if (auto it = parsed.find("felkod");
      it != parsed.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
    outcome.partner_code = it->get<std::string>();
  if (auto it = parsed.find("felmeddelande"); it != parsed.end() && it->is_string())
    outcome.partner_message = it->get<std::string>();
}

}  // namespace

SourceOutcome read_af_reply(const std::string& source, const net::HttpResult& result, const mapping::Mapping& mapping,
                            const ReplyLimits& limits) {
  return read_af_reply(source, result, mapping::VersionedMapping({mapping}), limits);
}

SourceOutcome read_af_reply(const std::string& source, const net::HttpResult& result,
                            const mapping::VersionedMapping& mapping, const ReplyLimits& limits) {
  if (!result) {
    switch (result.error().kind) {
      case net::TransportErrorKind::timeout:
        return failed(source, SourceStatus::timeout, "timeout",
                      "no answer from Arbetsförmedlingen within the deadline");
      case net::TransportErrorKind::connect_failed:
        return failed(source, SourceStatus::unavailable, "connect_failed", "Arbetsförmedlingen could not be reached");
      case net::TransportErrorKind::connection_lost:
        return failed(source, SourceStatus::unavailable, "connection_lost",
                      "Arbetsförmedlingen closed the connection without a complete answer");
      case net::TransportErrorKind::too_large:
        return failed(source, SourceStatus::error, "reply_too_large", "the answer exceeds the configured size limit");
      case net::TransportErrorKind::protocol:
        return failed(source, SourceStatus::error, "protocol", "the answer is not valid HTTP");
      case net::TransportErrorKind::tls_failed:
        // The reason (whose certificate, what is wrong) names no person: it goes to the audit
        // record and the caller so an operator can act on it.
        return failed(source, SourceStatus::unavailable, "tls_failed",
                      "no TLS session with Arbetsförmedlingen: " + result.error().message);
    }
    return failed(source, SourceStatus::error, "transport", "the exchange failed");
  }
  const net::HttpResponse& response = *result;
  const std::string http_code = "http_" + std::to_string(response.status);
  if (response.status >= 500 || response.status == 429) {
    auto outcome = failed(source, SourceStatus::unavailable, http_code,
                          "Arbetsförmedlingen answered HTTP " + std::to_string(response.status));
    read_af_error(response.body, limits.max_json_depth, outcome);
    return outcome;
  }
  if (response.status >= 400) {
    // 404 PERSON_OKAND, 403 SAMTYCKE_SAKNAS, 401 ... : AF's answer about this question, final.
    auto outcome = failed(source, SourceStatus::error, http_code,
                          "Arbetsförmedlingen refused the question (HTTP " + std::to_string(response.status) + ")");
    read_af_error(response.body, limits.max_json_depth, outcome);
    return outcome;
  }
  if (response.status < 200 || response.status >= 300) {
    return failed(source, SourceStatus::error, http_code,
                  "unexpected HTTP status " + std::to_string(response.status) + " from Arbetsförmedlingen");
  }
  return mapping::map_json_reply(
      source, response.body, mapping,
      mapping::ApplyLimits{.max_decoded_bytes = limits.max_reply_bytes, .max_json_depth = limits.max_json_depth},
      "Arbetsförmedlingen");
}

}  // namespace knutpunkt::arbetsformedlingen
