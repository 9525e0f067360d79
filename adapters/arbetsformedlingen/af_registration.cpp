// Registers the "arbetsformedlingen" adapter kind: reads and checks its config and loads a mapping
// for every AF source (every contract version of it side by side), with the published schemas its
// contracts name. Anything wrong stops start-up with the offending field named.
#include <algorithm>

#include "af_adapter.h"
#include "core/adapter_registry.h"
#include "mapping/json_vocabulary.h"
#include "net/tls_config.h"

namespace knutpunkt::arbetsformedlingen {

namespace {

std::expected<std::unique_ptr<LookupAdapter>, ConfigError> make_af_adapter(const nlohmann::json& config,
                                                                           AdapterContext& context) {
  auto parsed = read_af_config(config, context.config_pointer, context.base_dir);
  if (!parsed) return std::unexpected(parsed.error());
  auto tls = net::load_tls_profile(context.http, context.config_pointer + "/tls", parsed->tls);
  if (!tls) return std::unexpected(tls.error());
  parsed->tls_profile = std::move(*tls);

  auto mappings = mapping::load_versioned_mappings(parsed->mappings, mapping::published_schema_dir(parsed->mappings));
  if (!mappings) {
    return std::unexpected(
        ConfigError{context.config_pointer + "/mappings", mappings.error().where + ": " + mappings.error().message});
  }
  for (const AfSource& source : kSources) {
    const auto found = mappings->find(std::string(source.code));
    if (found == mappings->end()) {
      return std::unexpected(
          ConfigError{context.config_pointer + "/mappings",
                      "no mapping for source " + std::string(source.code) + " in " + parsed->mappings.string()});
    }
    if (!std::ranges::all_of(found->second.versions(), &mapping::Mapping::json_input)) {
      return std::unexpected(
          ConfigError{context.config_pointer + "/mappings",
                      "the mapping for " + std::string(source.code) + " must have \"payload\": \"json\""});
    }
  }
  return std::make_unique<AfAdapter>(std::move(*parsed), context.http, std::move(*mappings));
}

const LookupAdapterRegistration registration{"arbetsformedlingen", make_af_adapter};

}  // namespace

}  // namespace knutpunkt::arbetsformedlingen
