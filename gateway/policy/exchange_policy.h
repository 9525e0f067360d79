#pragma once
// How exchanges with one partner are bound, whatever its protocol: under which purposes it may be
// asked, on which legal ground, and how long a period one question may cover. Configuration
// ("policy" of an adapter); the authorization step (gateway/authorization/) applies it to every
// exchange, so an adapter never has to remember to.
#include <chrono>
#include <set>
#include <string>
#include <string_view>

namespace knutpunkt::policy {

enum class LegalBasis {
  law,      // a provision lifts secrecy (SSBTEK: 11 kap. 11 a § SoL, förordning 2008:975)
  consent,  // only the client's consent does (12 kap. OSL): checked per information type, per exchange
};
std::string_view to_string(LegalBasis basis);

struct ExchangePolicy {
  std::set<std::string> purposes;  // purposes this partner may be asked under; empty = any the client has
  LegalBasis legal_basis = LegalBasis::law;
  // The longest period one question may cover. LEFI refuses more than two years, and SSBTEK
  // answers from LEFI, so two years is the default.
  std::chrono::months max_period{24};
};

}  // namespace knutpunkt::policy
