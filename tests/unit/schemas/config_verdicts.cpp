// Runs the gateway's own config parsers over a JSON array of candidate configs (argv[1]) and
// prints one verdict per config, so check_schemas.py can hold config.schema.json to the code:
// a schema that accepts what start-up refuses (or the reverse) is a wrong contract.
//
// The real adapters are linked, so kind checks (which kinds exist, which deliver and may have
// `delivery` and be routed to) behave as in the gateway binary. For the built-in kinds the
// adapter's own config reader runs too: that is the part of start-up config.schema.json
// describes. The factories' remaining work, loading the schema and mapping files a config
// names, is not a schema matter and is not run.
#include "af_config.h"
#include "config/gateway_config.h"
#include "core/adapter_registry.h"
#include "fk_config.h"
#include "jobbtorg_config.h"
#include "region_config.h"
#include "ssbtek_config.h"

#include <fstream>
#include <iostream>

namespace {

using knutpunkt::ConfigError;

// A lookup kind that no adapter uses, so configs can hold an adapter whose `config` the schema
// leaves open (kinds it does not describe).
std::expected<std::unique_ptr<knutpunkt::LookupAdapter>, ConfigError> not_buildable(const nlohmann::json&,
                                                                                    knutpunkt::AdapterContext&) {
  return std::unexpected(ConfigError{"", "stand-in adapter kind, never built"});
}

const knutpunkt::LookupAdapterRegistration test_kind{"schema_test", not_buildable};

std::expected<void, ConfigError> read_adapter_config(const knutpunkt::AdapterConfig& adapter,
                                                     const std::filesystem::path& base_dir) {
  if (adapter.kind == "ssbtek") {
    if (auto c = knutpunkt::ssbtek::read_ssbtek_config(adapter.config, adapter.pointer, base_dir); !c) {
      return std::unexpected(c.error());
    }
  } else if (adapter.kind == "jobbtorg") {
    if (auto c = knutpunkt::jobbtorg::read_jobbtorg_config(adapter.config, adapter.pointer, base_dir); !c) {
      return std::unexpected(c.error());
    }
  } else if (adapter.kind == "arbetsformedlingen") {
    if (auto c = knutpunkt::arbetsformedlingen::read_af_config(adapter.config, adapter.pointer, base_dir); !c) {
      return std::unexpected(c.error());
    }
  } else if (adapter.kind == "forsakringskassan") {
    if (auto c = knutpunkt::forsakringskassan::read_fk_config(adapter.config, adapter.pointer, base_dir); !c) {
      return std::unexpected(c.error());
    }
  } else if (adapter.kind == "sip_region") {
    if (auto c = knutpunkt::sip_region::read_region_config(adapter.config, adapter.pointer); !c) {
      return std::unexpected(c.error());
    }
  }
  return {};
}

nlohmann::json verdict(const nlohmann::json& doc) {
  const std::filesystem::path base_dir = "/nonexistent-base";
  const auto refused = [](const ConfigError& e) {
    return nlohmann::json{{"ok", false}, {"field", e.field}, {"message", e.message}};
  };
  const auto cfg = knutpunkt::parse_config(doc, base_dir);
  if (!cfg) return refused(cfg.error());
  for (const auto& adapter : cfg->adapters) {
    if (auto r = read_adapter_config(adapter, base_dir); !r) return refused(r.error());
  }
  return {{"ok", true}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: config_verdicts <file with a JSON array of configs>\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  const auto docs = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (!docs.is_array()) {
    std::cerr << "config_verdicts: input is not a JSON array\n";
    return 2;
  }
  nlohmann::json verdicts = nlohmann::json::array();
  for (const auto& doc : docs) verdicts.push_back(verdict(doc));
  std::cout << verdicts.dump(2) << '\n';
  return 0;
}
