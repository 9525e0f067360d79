// Jobbtorg's reports on a referral (INSKRIVNING, NARVARO, AVBROTT, ...): the envelope, the report
// type, and the declarative mapping of each type.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto reader = knutpunkt::fuzz::inbound_adapter(
      "jobbtorg", {{"endpoint", "http://127.0.0.1:9/api/v1"},
                   {"token", "fuzz"},
                   {"mappings", knutpunkt::fuzz::repo_path("mappings/jobbtorg").string()}});
  knutpunkt::fuzz::check_report(*reader, std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
