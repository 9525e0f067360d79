// SSBTEK's answer as it comes off the wire: the SOAP 1.1 envelope, faults, the contract schema,
// each source's own error element, and each source's payload through its mapping, including the
// base64 payloads (CSN's svar, LEFI's lefiJsonSvar) and the XML carried as text (SKV's svar).
// The readiness answer (testaBastjanstInformationResponse) is read from the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "mapping/source_outcome.h"
#include "soap_reply.h"
#include "ssbtek_config.h"
#include "ssbtek_sources.h"

namespace {

using namespace knutpunkt;

struct Ssbtek {
  xml::Schema schema;
  std::map<std::string, mapping::Mapping> mappings;
};

const Ssbtek& loaded_ssbtek() {
  static const Ssbtek loaded = [] {
    auto schema = xml::Schema::load(fuzz::repo_path("schemas/ssbtek/ssbtek-v10.xsd"));
    if (!schema) fuzz::setup_failed(schema.error().message);
    return Ssbtek{std::move(*schema), fuzz::load_mappings("mappings/ssbtek", "schemas/ssbtek")};
  }();
  return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Ssbtek& s = loaded_ssbtek();
  const std::string body(reinterpret_cast<const char*>(data), size);
  const net::HttpResult result = net::HttpResponse{200, "text/xml; charset=utf-8", {}, body};
  const std::size_t max_bytes = ssbtek::SsbtekConfig{}.max_reply_bytes;

  // A source is read only when its element name occurs at all: each read validates the whole
  // envelope again, and a source the answer does not name ends as source_missing anyway.
  for (std::string_view code : ssbtek::kSources) {
    const std::string source(code);
    if (body.find(source) == std::string::npos) continue;
    SourceOutcome outcome;
    if (auto reply = ssbtek::read_fetch_reply(result, source, s.schema, max_bytes)) {
      outcome = mapping::source_outcome(source, s.mappings.at(source).apply(*reply));
    } else {
      outcome.source = source;
      outcome.status = reply.error().status;
      outcome.partner_code = reply.error().code;
      outcome.partner_message = reply.error().message;
    }
    fuzz::require_utf8(fuzz::to_json(outcome));
  }
  const ssbtek::TestOutcome test = ssbtek::read_test_reply(result, s.schema);
  fuzz::require_utf8(test.detail);
  return 0;
}
