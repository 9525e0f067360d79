#include "anvisning_sender.h"

#include "core/clock.h"

namespace knutpunkt::jobbtorg {

const std::map<std::string, std::string>& template_by_message_type() {
  static const std::map<std::string, std::string> templates{{"referral.requested", "anvisning"},
                                                            {"referral.change", "andring"},
                                                            {"referral.withdrawal", "aterkallelse"},
                                                            {"referral.decision", "beslut"},
                                                            {"referral.assessment", "enhetens_bedomning"}};
  return templates;
}

AnvisningSender::AnvisningSender(JobbtorgConfig config, std::map<std::string, mapping::OutboundTemplate> templates)
    : config_(std::move(config)), templates_(std::move(templates)) {}

std::expected<OutboundRequest, RenderError> AnvisningSender::render(const OutboundMessage& message) const {
  const auto named = template_by_message_type().find(message.type);
  if (named == template_by_message_type().end()) {
    return std::unexpected(
        RenderError{"unsupported_type", "/type", "Jobbtorg receives referrals and messages about them only"});
  }
  const mapping::OutboundTemplate& rendered_with = templates_.at(named->second);
  nlohmann::json source = message.payload;
  source["message_id"] = message.id;
  source["sent_at"] = now_utc();
  auto body = rendered_with.render(source);
  if (!body) return std::unexpected(RenderError{body.error().code, body.error().field, body.error().message});
  OutboundRequest request;
  if (message.type == "referral.requested") {
    request.path = "/anvisningar";
  } else {
    // The referral id is knutpunkt's own UUID, never personal data, so it may stand in the path.
    const std::string referral_id = source.value("referral_id", "");
    if (referral_id.empty()) return std::unexpected(RenderError{"value_missing", "/referral_id", "is required"});
    request.path = "/anvisningar/" + referral_id + "/meddelanden";
  }
  request.body = body->dump();
  request.headers.emplace_back("Authorization", "Bearer " + config_.token);
  return request;
}

}  // namespace knutpunkt::jobbtorg
