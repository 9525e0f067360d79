#include "anvisning_sender.h"

#include "core/clock.h"

namespace knutpunkt::jobbtorg {

AnvisningSender::AnvisningSender(JobbtorgConfig config, mapping::OutboundTemplate anvisning)
    : config_(std::move(config)), anvisning_(std::move(anvisning)) {}

std::expected<OutboundRequest, RenderError> AnvisningSender::render(const OutboundMessage& message) const {
  if (message.type != "referral.requested") {
    return std::unexpected(RenderError{"unsupported_type", "/type", "Jobbtorg receives referrals only"});
  }
  nlohmann::json source = message.payload;
  source["message_id"] = message.id;
  source["sent_at"] = now_utc();
  auto body = anvisning_.render(source);
  if (!body) return std::unexpected(RenderError{body.error().code, body.error().field, body.error().message});
  OutboundRequest request;
  request.path = "/anvisningar";
  request.body = body->dump();
  request.headers.emplace_back("Authorization", "Bearer " + config_.token);
  return request;
}

}  // namespace knutpunkt::jobbtorg
