// A region's SIP system writing to the gateway: a reply to a kallelse (SVAR) or a proposed change
// to the plan (ANDRINGSFORSLAG), read strictly into a sip.* event for the plan it names.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto reader =
      knutpunkt::fuzz::inbound_adapter("sip_region", {{"endpoint", "http://127.0.0.1:9/api"}, {"token", "fuzz"}});
  knutpunkt::fuzz::check_report(*reader, std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
