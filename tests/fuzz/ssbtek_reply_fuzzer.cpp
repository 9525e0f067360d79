// SSBTEK's answer as it comes off the wire, read for every source at once as one lookup reads it:
// the SOAP 1.1 envelope, faults, the contract schema's findings attributed to sources, each
// source's own error element, and each source's payload through its mapping versions, including
// the base64 payloads (CSN's svar, LEFI's lefiJsonSvar) and the XML carried as text (SKV's svar).
// The readiness answer (testaBastjanstInformationResponse) is read from the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "reply_reader.h"
#include "ssbtek_config.h"
#include "ssbtek_sources.h"

namespace {

using namespace knutpunkt;

const ssbtek::ReplyReader& reader() {
  static const ssbtek::ReplyReader loaded = [] {
    auto r = ssbtek::ReplyReader::load(fuzz::repo_path("schemas/ssbtek/ssbtek-v10.xsd"), fuzz::repo_path("mappings/ssbtek"),
                                       ssbtek::SsbtekConfig{}.max_reply_bytes);
    if (!r) fuzz::setup_failed(r.error());
    return std::move(*r);
  }();
  return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const net::HttpResult result = net::HttpResponse{200, "text/xml; charset=utf-8", {}, body};
  const std::vector<std::string> sources(ssbtek::kSources.begin(), ssbtek::kSources.end());
  for (const SourceOutcome& outcome : reader().read(result, sources)) fuzz::require_utf8(fuzz::to_json(outcome));
  fuzz::require_utf8(reader().read_test(result).detail);
  return 0;
}
