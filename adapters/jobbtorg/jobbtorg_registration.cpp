// Registers the "jobbtorg" adapter kind with two facets built from the same config: referrals out
// (outbound) and reports in (inbound). Anything wrong stops start-up with the field named.
#include <algorithm>

#include "anvisning_sender.h"
#include "core/adapter_registry.h"
#include "mapping/json_vocabulary.h"
#include "net/tls_config.h"
#include "report_reader.h"

namespace knutpunkt::jobbtorg {
namespace {

// Every report type of adapters/jobbtorg/README.md must have its mapping.
constexpr const char* kReportTypes[] = {"INSKRIVNING", "EJ_INSKRIVEN", "FORSTA_BESOK", "IB_DEL2_KLAR", "NARVARO",
                                        "UPPFOLJNING", "BEDOMNING",    "AVBROTT",      "AVSLUT"};

std::expected<std::unique_ptr<OutboundAdapter>, ConfigError> make_sender(const nlohmann::json& config,
                                                                         AdapterContext& context) {
  auto parsed = read_jobbtorg_config(config, context.config_pointer, context.base_dir);
  if (!parsed) return std::unexpected(parsed.error());
  auto tls = net::load_tls_profile(context.http, context.config_pointer + "/tls", parsed->tls);
  if (!tls) return std::unexpected(tls.error());
  parsed->tls_profile = std::move(*tls);
  auto templates = mapping::load_outbound_templates(parsed->mappings);
  if (!templates) {
    return std::unexpected(
        ConfigError{context.config_pointer + "/mappings", templates.error().where + ": " + templates.error().message});
  }
  for (const auto& [type, stem] : template_by_message_type()) {
    if (!templates->contains(stem)) {
      return std::unexpected(ConfigError{context.config_pointer + "/mappings",
                                         "no outbound template " + stem + ".json in " + parsed->mappings.string()});
    }
  }
  return std::make_unique<AnvisningSender>(std::move(*parsed), std::move(*templates));
}

std::expected<std::unique_ptr<InboundAdapter>, ConfigError> make_reader(const nlohmann::json& config,
                                                                        AdapterContext& context) {
  auto parsed = read_jobbtorg_config(config, context.config_pointer, context.base_dir);
  if (!parsed) return std::unexpected(parsed.error());
  auto mappings = mapping::load_versioned_mappings(parsed->mappings, mapping::published_schema_dir(parsed->mappings));
  if (!mappings) {
    return std::unexpected(
        ConfigError{context.config_pointer + "/mappings", mappings.error().where + ": " + mappings.error().message});
  }
  for (const char* typ : kReportTypes) {
    auto it = mappings->find(typ);
    if (it == mappings->end() || !std::ranges::all_of(it->second.versions(), &mapping::Mapping::json_input)) {
      return std::unexpected(
          ConfigError{context.config_pointer + "/mappings",
                      std::string("no JSON mapping for report type ") + typ + " in " + parsed->mappings.string()});
    }
  }
  return std::make_unique<ReportReader>(std::move(*parsed), std::move(*mappings));
}

const OutboundAdapterRegistration outbound{"jobbtorg", make_sender};
const InboundAdapterRegistration inbound{"jobbtorg", make_reader};

}  // namespace
}  // namespace knutpunkt::jobbtorg
