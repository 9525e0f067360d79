#include "sip_message_sender.h"

#include "region_wire.h"

namespace knutpunkt::sip_region {

std::expected<OutboundRequest, RenderError> SipMessageSender::render(const OutboundMessage& message) const {
  auto wire = render_region_message(message.id, message.type, message.payload);
  if (!wire) return std::unexpected(wire.error());
  OutboundRequest request;
  request.method = wire->method;
  request.path = std::move(wire->path);
  request.body = wire->body.dump();
  // Headers carry credentials only: the person id is inside the body's plan, nowhere else.
  if (!config_.token.empty()) request.headers.emplace_back("Authorization", "Bearer " + config_.token);
  return request;
}

}  // namespace knutpunkt::sip_region
