#pragma once
// The region's organisations as the SIP tests name them, spelled once: a consent, a participant and
// the routing to the region's system match on these strings, so every suite must use the same ones.
#include <string>

namespace sip_test {

inline const std::string kVardcentral = "region-stockholm/vardcentral-farsta";
inline const std::string kPsykiatri = "region-stockholm/psykiatri-sodra";

}  // namespace sip_test
