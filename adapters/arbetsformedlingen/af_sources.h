#pragma once
// The four things knutpunkt asks Arbetsförmedlingen, each a source of its own (its own mapping,
// its own outcome), and the resource under the configured base URL that answers it.
#include <array>
#include <optional>
#include <string_view>

namespace knutpunkt::arbetsformedlingen {

struct AfSource {
  std::string_view code;      // source code in lookups and the mapping's file stem
  std::string_view resource;  // POST {endpoint}/{resource}
};

inline constexpr std::array<AfSource, 4> kSources{{
    {"INSKRIVNING", "inskrivningsstatus"},
    {"HANDLINGSPLAN", "handlingsplan"},
    {"AKTIVITETSRAPPORTER", "aktivitetsrapporter"},
    {"BESLUT", "beslut"},
}};

// GET {endpoint}/halsa: AF's health resource, for readiness.
inline constexpr std::string_view kHealthResource = "halsa";

inline std::optional<AfSource> source_with_code(std::string_view code) {
  for (const AfSource& source : kSources)
    if (source.code == code) return source;
  return std::nullopt;
}

}  // namespace knutpunkt::arbetsformedlingen
