// Arbetsförmedlingen's answers: a 2xx JSON body through each of the four sources' mappings, and an
// error body (felkod, felmeddelande) as AF sends it with a 4xx or 5xx.
#include <cstddef>
#include <cstdint>
#include <string>

#include "af_config.h"
#include "af_reply.h"
#include "af_sources.h"
#include "fuzz_support.h"

namespace {

using namespace knutpunkt;
namespace af = knutpunkt::arbetsformedlingen;

const std::map<std::string, mapping::Mapping>& mappings() {
  static const auto loaded = fuzz::load_mappings("mappings/arbetsformedlingen");
  return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const af::AfConfig defaults;
  const af::ReplyLimits limits{defaults.max_reply_bytes, defaults.max_json_depth};
  for (const af::AfSource& source : af::kSources) {
    const std::string code(source.code);
    const net::HttpResult ok = net::HttpResponse{200, "application/json", {}, body};
    fuzz::require_utf8(fuzz::to_json(af::read_af_reply(code, ok, mappings().at(code), limits)));
  }
  for (unsigned status : {404u, 503u}) {
    const net::HttpResult refused = net::HttpResponse{status, "application/json", {}, body};
    const std::string code(af::kSources[0].code);
    fuzz::require_utf8(fuzz::to_json(af::read_af_reply(code, refused, mappings().at(code), limits)));
  }
  return 0;
}
