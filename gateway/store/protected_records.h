#pragma once
// Persons a partner has flagged as protected (skyddade personuppgifter). Remembered so that later
// exchanges are protected even before, or without, the partner saying so again.
#include <string>

namespace knutpunkt {

namespace store_write {
struct RememberProtected {
  std::string person_id;
  std::string flagged_by;  // adapter/source that flagged the person first, e.g. "ssbtek/FK"
  std::string flagged_at;
};
}  // namespace store_write

}  // namespace knutpunkt
