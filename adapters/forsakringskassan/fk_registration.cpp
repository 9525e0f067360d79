// Registers the "forsakringskassan" adapter kind with three facets built from the same config:
// benefit lookups (LEFI FORMANER, PAGAENDE), återsökningar out (outbound, through the outbox) and
// decision notifications in (inbound). Anything wrong stops start-up with the offending field named.
#include <algorithm>

#include "atersokning_sender.h"
#include "core/adapter_registry.h"
#include "decision_reader.h"
#include "fk_adapter.h"
#include "mapping/json_vocabulary.h"
#include "mapping/outbound_template.h"
#include "net/tls_config.h"

namespace knutpunkt::forsakringskassan {

namespace {

std::expected<std::map<std::string, mapping::VersionedMapping>, ConfigError> load_json_mappings(
    const FkConfig& config, const AdapterContext& context, const std::vector<std::string>& needed) {
  auto mappings = mapping::load_versioned_mappings(config.mappings, mapping::published_schema_dir(config.mappings));
  if (!mappings) {
    return std::unexpected(
        ConfigError{context.config_pointer + "/mappings", mappings.error().where + ": " + mappings.error().message});
  }
  for (const auto& code : needed) {
    auto it = mappings->find(code);
    if (it == mappings->end()) {
      return std::unexpected(ConfigError{context.config_pointer + "/mappings",
                                         "no mapping for " + code + " in " + config.mappings.string()});
    }
    if (!std::ranges::all_of(it->second.versions(), &mapping::Mapping::json_input)) {
      return std::unexpected(ConfigError{context.config_pointer + "/mappings",
                                         "the mapping for " + code + " must have \"payload\": \"json\""});
    }
  }
  return std::move(*mappings);
}

std::expected<std::unique_ptr<LookupAdapter>, ConfigError> make_fk_adapter(const nlohmann::json& config,
                                                                           AdapterContext& context) {
  auto parsed = read_fk_config(config, context.config_pointer, context.base_dir);
  if (!parsed) return std::unexpected(parsed.error());
  auto tls = net::load_tls_profile(context.http, context.config_pointer + "/tls", parsed->tls);
  if (!tls) return std::unexpected(tls.error());
  parsed->tls_profile = std::move(*tls);
  auto mappings = load_json_mappings(*parsed, context, kFkSources);
  if (!mappings) return std::unexpected(mappings.error());
  return std::make_unique<FkAdapter>(std::move(*parsed), context.http, std::move(*mappings));
}

std::expected<std::unique_ptr<InboundAdapter>, ConfigError> make_decision_reader(const nlohmann::json& config,
                                                                                 AdapterContext& context) {
  auto parsed = read_fk_config(config, context.config_pointer, context.base_dir);
  if (!parsed) return std::unexpected(parsed.error());
  auto mappings = load_json_mappings(*parsed, context, {kBeslutsnotifiering});
  if (!mappings) return std::unexpected(mappings.error());
  auto beslutsnotifiering = mappings->at(kBeslutsnotifiering);
  return std::make_unique<DecisionReader>(std::move(*parsed), std::move(beslutsnotifiering));
}

std::expected<std::unique_ptr<OutboundAdapter>, ConfigError> make_atersokning_sender(const nlohmann::json& config,
                                                                                     AdapterContext& context) {
  auto parsed = read_fk_config(config, context.config_pointer, context.base_dir);
  if (!parsed) return std::unexpected(parsed.error());
  auto tls = net::load_tls_profile(context.http, context.config_pointer + "/tls", parsed->tls);
  if (!tls) return std::unexpected(tls.error());
  parsed->tls_profile = std::move(*tls);
  const auto file = parsed->mappings / (std::string(kAtersokningTemplate) + ".json");
  auto atersokning = mapping::OutboundTemplate::load(file);
  if (!atersokning) {
    return std::unexpected(ConfigError{context.config_pointer + "/mappings",
                                       atersokning.error().where + ": " + atersokning.error().message});
  }
  return std::make_unique<AtersokningSender>(std::move(*parsed), std::move(*atersokning));
}

const LookupAdapterRegistration lookup{"forsakringskassan", make_fk_adapter};
const InboundAdapterRegistration inbound{"forsakringskassan", make_decision_reader};
const OutboundAdapterRegistration outbound{"forsakringskassan", make_atersokning_sender};

}  // namespace

}  // namespace knutpunkt::forsakringskassan
