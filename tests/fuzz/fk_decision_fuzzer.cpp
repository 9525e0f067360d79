// Försäkringskassan's decision notifications (beslutsnotifiering), pushed to the gateway: the
// envelope (notifieringsId, personnummer and its check digit, skyddad) and the decision's mapping.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto reader = knutpunkt::fuzz::inbound_adapter(
      "forsakringskassan", {{"endpoint", "http://127.0.0.1:9/fk"},
                            {"aktorsid", "9255f428-4ba0-63ce-5407-e65d469fac0f"},
                            {"token", "fuzz"},
                            {"mappings", knutpunkt::fuzz::repo_path("mappings/forsakringskassan").string()}});
  knutpunkt::fuzz::check_report(*reader, std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
