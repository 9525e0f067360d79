// Registers the "ssbtek" adapter kind: reads and checks its config, loads its schema and mappings.
// Anything wrong stops start-up with the offending field named.
#include "core/adapter_registry.h"
#include "net/tls_config.h"
#include "ssbtek_adapter.h"
#include "ssbtek_sources.h"

namespace knutpunkt::ssbtek {

namespace {

std::expected<std::unique_ptr<LookupAdapter>, ConfigError> make_ssbtek_adapter(const nlohmann::json& config,
                                                                               AdapterContext& context) {
  auto parsed = read_ssbtek_config(config, context.config_pointer, context.base_dir);
  if (!parsed) return std::unexpected(parsed.error());
  auto tls = net::load_tls_profile(context.http, context.config_pointer + "/tls", parsed->tls);
  if (!tls) return std::unexpected(tls.error());
  parsed->tls_profile = std::move(*tls);

  auto schema = xml::Schema::load(parsed->schema);
  if (!schema) return std::unexpected(ConfigError{context.config_pointer + "/schema", schema.error().message});
  auto mappings = mapping::load_versioned_mappings(parsed->mappings, parsed->schema.parent_path());
  if (!mappings) {
    return std::unexpected(
        ConfigError{context.config_pointer + "/mappings", mappings.error().where + ": " + mappings.error().message});
  }
  for (std::string_view code : kSources) {
    if (!mappings->contains(std::string(code))) {
      return std::unexpected(
          ConfigError{context.config_pointer + "/mappings",
                      "no mapping for source " + std::string(code) + " in " + parsed->mappings.string()});
    }
  }
  ReplyReader reader(std::move(*schema), std::move(*mappings), parsed->max_reply_bytes);
  return std::make_unique<SsbtekAdapter>(std::move(*parsed), context.http, std::move(reader));
}

const LookupAdapterRegistration registration{"ssbtek", make_ssbtek_adapter};

}  // namespace

}  // namespace knutpunkt::ssbtek
