#pragma once
// The seven sources (bastjänster) behind SSBTEK, in the order the contract lists them.
#include <array>
#include <optional>
#include <string_view>

namespace knutpunkt::ssbtek_simulator {

enum class Source { AF, CSN, FK, SKV, SO, TNS, MIV };

inline constexpr std::array<Source, 7> kSources{Source::AF, Source::CSN, Source::FK, Source::SKV,
                                                Source::SO, Source::TNS, Source::MIV};

constexpr std::string_view name(Source source) {
  constexpr std::array<std::string_view, 7> names{"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"};
  return names[static_cast<std::size_t>(source)];
}

inline std::optional<Source> source_named(std::string_view text) {
  for (Source s : kSources)
    if (name(s) == text) return s;
  return std::nullopt;
}

}  // namespace knutpunkt::ssbtek_simulator
