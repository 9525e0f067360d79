#pragma once
// The sources SSBTEK composes, in the order its schema lists them (specifikaFrageparametrar).
#include <array>
#include <string_view>

namespace knutpunkt::ssbtek {

inline constexpr std::array<std::string_view, 7> kSources = {"AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"};

inline constexpr std::string_view kSoapEnvelopeNs = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kSsbtNs = "http://schema.forsakringskassan.se/integration/ssbt/10";

}  // namespace knutpunkt::ssbtek
