// Försäkringskassan's answers to a lookup: LEFI's formansinformation (FORMANER) and the pending
// applications (PAGAENDE), each a 2xx JSON body through its mapping with any avvikelser, and a
// LEFI error body (meddelande) with a 4xx.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fk_config.h"
#include "fk_exchange.h"
#include "fuzz_support.h"

namespace {

using namespace knutpunkt;
namespace fk = knutpunkt::forsakringskassan;

const std::map<std::string, mapping::Mapping>& mappings() {
  static const auto loaded = fuzz::load_mappings("mappings/forsakringskassan");
  return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const fk::FkConfig defaults;
  const fk::ReplyLimits limits{defaults.max_reply_bytes, defaults.max_json_depth};
  for (const std::string& source : fk::kFkSources) {
    const net::HttpResult ok = net::HttpResponse{200, "application/json", {}, body};
    fuzz::require_utf8(fuzz::to_json(fk::read_reply(source, ok, mappings().at(source), limits)));
  }
  const net::HttpResult refused = net::HttpResponse{400, "application/json", {}, body};
  fuzz::require_utf8(fuzz::to_json(fk::read_reply(fk::kFormaner, refused, mappings().at(fk::kFormaner), limits)));
  return 0;
}
