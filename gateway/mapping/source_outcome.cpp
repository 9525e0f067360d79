#include "mapping/source_outcome.h"

namespace knutpunkt::mapping {

SourceOutcome source_outcome(const std::string& source, std::expected<MappingResult, MappingError> mapped) {
  SourceOutcome outcome;
  outcome.source = source;
  if (!mapped) {
    outcome.status = SourceStatus::error;
    outcome.partner_code = "mapping_failed";
    // Where in the reply and in the mapping, never the value (which may be personal data).
    outcome.partner_message = "the answer could not be mapped: " + mapped.error().code + " at " + mapped.error().where;
    if (!mapped.error().field.empty()) outcome.partner_message += " (" + mapped.error().field + ")";
    return outcome;
  }
  outcome.status = SourceStatus::ok;
  outcome.protected_identity = mapped->protected_identity;
  outcome.deviations = std::move(mapped->deviations);
  outcome.contract_version = std::move(mapped->contract_version);
  for (auto& event : mapped->events) {
    CaseEvent case_event;
    case_event.type = std::move(event.type);
    case_event.occurred_at = std::move(event.occurred_at);
    case_event.facts = std::move(event.facts);
    outcome.events.push_back(std::move(case_event));
  }
  return outcome;
}

SourceOutcome map_json_reply(const std::string& source, std::string_view body, const Mapping& mapping,
                             const ApplyLimits& limits, const std::string& partner) {
  return map_json_reply(source, body, VersionedMapping({mapping}), limits, partner);
}

SourceOutcome map_json_reply(const std::string& source, std::string_view body, const VersionedMapping& mapping,
                             const ApplyLimits& limits, const std::string& partner) {
  const auto failed = [&](std::string code, std::string message) {
    SourceOutcome outcome;
    outcome.source = source;
    outcome.status = SourceStatus::error;
    outcome.partner_code = std::move(code);
    outcome.partner_message = std::move(message);
    return outcome;
  };
  if (body.size() > limits.max_decoded_bytes) {
    return failed("reply_too_large", partner + "'s answer exceeds the configured size limit");
  }
  if (json_nesting_depth(body) > limits.max_json_depth) {
    return failed("malformed_reply", partner + "'s answer nests too deeply");
  }
  const auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    // The parser's own message could quote the body (personal data); only the code is kept.
    return failed("malformed_reply", partner + "'s answer is not a JSON object");
  }
  return source_outcome(source, mapping.apply(parsed, limits));
}

}  // namespace knutpunkt::mapping
