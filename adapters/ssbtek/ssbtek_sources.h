#pragma once
// The sources SSBTEK composes, in the order its schema lists them (specifikaFrageparametrar), and
// the SSBTEK contract versions this gateway speaks.
#include <algorithm>
#include <array>
#include <string_view>

namespace knutpunkt::ssbtek {

inline constexpr std::array<std::string_view, 7> kSources = {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"};

inline constexpr std::string_view kSoapEnvelopeNs = "http://schemas.xmlsoap.org/soap/envelope/";

// A version of SSBTEK's own contract: the namespace of its question, reply and faults. A reply is
// read in whichever known version it comes; the question goes out in the configured one.
struct SsbtekContract {
  std::string_view version;
  std::string_view ns;
};
inline constexpr std::array<SsbtekContract, 1> kContracts = {
    SsbtekContract{"10", "http://schema.forsakringskassan.se/integration/ssbt/10"}};

inline const SsbtekContract* find_contract(std::string_view version) {
  const auto it = std::find_if(kContracts.begin(), kContracts.end(), [&](const auto& c) { return c.version == version; });
  return it == kContracts.end() ? nullptr : &*it;
}

inline bool is_ssbtek_namespace(std::string_view ns) {
  return std::any_of(kContracts.begin(), kContracts.end(), [&](const auto& c) { return c.ns == ns; });
}

}  // namespace knutpunkt::ssbtek
