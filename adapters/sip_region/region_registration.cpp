// Registers the "sip_region" adapter kind with two facets built from the same config: plan
// messages out (outbound) and replies and change proposals in (inbound). Anything wrong stops
// start-up with the field named.
#include "core/adapter_registry.h"
#include "net/tls_config.h"
#include "reply_reader.h"
#include "sip_message_sender.h"

namespace knutpunkt::sip_region {
namespace {

std::expected<std::unique_ptr<OutboundAdapter>, ConfigError> make_sender(const nlohmann::json& config,
                                                                         AdapterContext& context) {
  auto parsed = read_region_config(config, context.config_pointer, context.base_dir);
  if (!parsed) return std::unexpected(parsed.error());
  auto tls = net::load_tls_profile(context.http, context.config_pointer + "/tls", parsed->tls);
  if (!tls) return std::unexpected(tls.error());
  parsed->tls_profile = std::move(*tls);
  return std::make_unique<SipMessageSender>(std::move(*parsed));
}

std::expected<std::unique_ptr<InboundAdapter>, ConfigError> make_reader(const nlohmann::json& config,
                                                                        AdapterContext& context) {
  auto parsed = read_region_config(config, context.config_pointer, context.base_dir);
  if (!parsed) return std::unexpected(parsed.error());
  return std::make_unique<ReplyReader>(std::move(*parsed));
}

const OutboundAdapterRegistration outbound{"sip_region", make_sender};
const InboundAdapterRegistration inbound{"sip_region", make_reader};

}  // namespace
}  // namespace knutpunkt::sip_region
