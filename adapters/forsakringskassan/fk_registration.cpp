// Registers the "forsakringskassan" adapter kind: reads and checks its config and loads its
// mappings. Anything wrong stops start-up with the offending field named.
#include "core/adapter_registry.h"
#include "fk_adapter.h"

namespace knutpunkt::forsakringskassan {

namespace {

std::expected<std::unique_ptr<LookupAdapter>, ConfigError> make_fk_adapter(const nlohmann::json& config,
                                                                          AdapterContext& context) {
  auto parsed = parse_fk_config(config, context.config_pointer, context.base_dir);
  if (!parsed) return std::unexpected(parsed.error());
  // JSON-input mappings reference no XSD; the schema dir is only for "schema" entries.
  auto mappings = mapping::load_mappings(parsed->mappings, parsed->mappings);
  if (!mappings) {
    return std::unexpected(
        ConfigError{context.config_pointer + "/mappings", mappings.error().where + ": " + mappings.error().message});
  }
  for (const auto& code : kFkSources) {
    auto it = mappings->find(code);
    if (it == mappings->end()) {
      return std::unexpected(ConfigError{context.config_pointer + "/mappings",
                                         "no mapping for source " + code + " in " + parsed->mappings.string()});
    }
    if (!it->second.json_input()) {
      return std::unexpected(ConfigError{context.config_pointer + "/mappings",
                                         "the mapping for " + code + " must have \"payload\": \"json\""});
    }
  }
  return std::make_unique<FkAdapter>(std::move(*parsed), context.http, std::move(*mappings));
}

const LookupAdapterRegistration registration{"forsakringskassan", make_fk_adapter};

}  // namespace

}  // namespace knutpunkt::forsakringskassan
