// The gateway's configuration file as load_config reads it (JSON with comments allowed), through
// parse_config, and each adapter's own config object through its kind's reader. A wrong config
// must stop start-up with a message naming the field, never with a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "af_config.h"
#include "config/gateway_config.h"
#include "fk_config.h"
#include "fuzz_support.h"
#include "jobbtorg_config.h"
#include "region_config.h"
#include "ssbtek_config.h"

namespace {

using namespace knutpunkt;

void check(const ConfigError& error) { fuzz::require_utf8({{"field", error.field}, {"message", error.message}}); }

template <typename T>
void check(const std::expected<T, ConfigError>& parsed) {
  if (!parsed) check(parsed.error());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (doc.is_discarded()) return 0;
  const std::filesystem::path base_dir = "/knutpunkt-fuzz/config";
  auto config = parse_config(doc, base_dir);
  if (!config) {
    check(config.error());
    return 0;
  }
  for (const AdapterConfig& adapter : config->adapters) {
    if (adapter.kind == "ssbtek") check(ssbtek::read_ssbtek_config(adapter.config, adapter.pointer, base_dir));
    if (adapter.kind == "arbetsformedlingen") {
      check(arbetsformedlingen::read_af_config(adapter.config, adapter.pointer, base_dir));
    }
    if (adapter.kind == "forsakringskassan") {
      check(forsakringskassan::read_fk_config(adapter.config, adapter.pointer, base_dir));
    }
    if (adapter.kind == "jobbtorg") check(jobbtorg::read_jobbtorg_config(adapter.config, adapter.pointer, base_dir));
    if (adapter.kind == "sip_region") check(sip_region::read_region_config(adapter.config, adapter.pointer));
  }
  return 0;
}
