#include "core/lookup_types.h"

namespace knutpunkt {

std::string_view to_string(SourceStatus status) {
  switch (status) {
    case SourceStatus::ok: return "ok";
    case SourceStatus::unavailable: return "unavailable";
    case SourceStatus::timeout: return "timeout";
    case SourceStatus::error: return "error";
  }
  return "error";
}

}  // namespace knutpunkt
