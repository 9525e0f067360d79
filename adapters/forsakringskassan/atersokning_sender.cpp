#include "atersokning_sender.h"

namespace knutpunkt::forsakringskassan {

AtersokningSender::AtersokningSender(FkConfig config, mapping::OutboundTemplate atersokning)
    : config_(std::move(config)), atersokning_(std::move(atersokning)) {}

std::expected<OutboundRequest, RenderError> AtersokningSender::render(const OutboundMessage& message) const {
  if (message.type != kAtersokningMessageType) {
    return std::unexpected(RenderError{"unsupported_type", "/type", "Försäkringskassan receives återsökningar only"});
  }
  auto body = atersokning_.render(message.payload);
  if (!body) return std::unexpected(RenderError{body.error().code, body.error().field, body.error().message});
  // The template checks the type; what it cannot say is that a claim is for something: FK refuses
  // a zero or negative amount, and retrying such a message would only fail again.
  const auto amount = message.payload.find("amount_ore");  // present and an integer: the template checked
  if (amount != message.payload.end() && amount->is_number_integer() && !amount->is_number_unsigned() &&
      amount->get<long long>() <= 0) {
    return std::unexpected(RenderError{"value_invalid", "/amount_ore", "must be a positive number of öre"});
  }
  OutboundRequest request;
  // endpoint() carries the endpoint's own path prefix; aktorsid is [A-Za-z0-9-] (fk_config.cpp).
  request.path = "/fk-atersokning/v1/aktorer/" + config_.aktorsid + "/atersokningar";
  request.body = body->dump();
  request.headers.emplace_back("Authorization", "Bearer " + config_.token);
  request.headers.emplace_back("Accept", "application/json");
  return request;
}

}  // namespace knutpunkt::forsakringskassan
