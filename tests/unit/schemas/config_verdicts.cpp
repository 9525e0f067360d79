// Runs the gateway's own config parser over a JSON array of candidate configs (argv[1]) and
// prints one verdict per config, so check_schemas.py can hold config.schema.json to the parser:
// a schema that accepts what start-up refuses (or the reverse) is a wrong contract.
#include "config/gateway_config.h"
#include "core/adapter_registry.h"

#include <fstream>
#include <iostream>

namespace {

// parse_config only asks whether an adapter kind is registered; these stand in for the real
// adapters so the verdicts do not depend on which adapters this test binary links.
std::expected<std::unique_ptr<knutpunkt::LookupAdapter>, knutpunkt::ConfigError> not_buildable(
    const nlohmann::json&, knutpunkt::AdapterContext&) {
  return std::unexpected(knutpunkt::ConfigError{"", "stand-in adapter kind, never built"});
}

const knutpunkt::LookupAdapterRegistration ssbtek_kind{"ssbtek", not_buildable};
const knutpunkt::LookupAdapterRegistration test_kind{"schema_test", not_buildable};

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
  for (const auto& doc : docs) {
    const auto cfg = knutpunkt::parse_config(doc, "/nonexistent-base");
    if (cfg) {
      verdicts.push_back({{"ok", true}});
    } else {
      verdicts.push_back({{"ok", false}, {"field", cfg.error().field}, {"message", cfg.error().message}});
    }
  }
  std::cout << verdicts.dump(2) << '\n';
  return 0;
}
