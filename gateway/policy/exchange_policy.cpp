#include "policy/exchange_policy.h"

namespace knutpunkt::policy {

std::string_view to_string(LegalBasis basis) {
  return basis == LegalBasis::consent ? "consent" : "law";
}

}  // namespace knutpunkt::policy
