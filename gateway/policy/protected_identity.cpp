#include "policy/protected_identity.h"

#include <array>
#include <vector>

namespace knutpunkt::policy {

bool is_location_fact(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kExact = {
      "postal_code", "postal_town", "postnummer", "postort", "city", "care_of", "coordinates", "latitude", "longitude"};
  for (std::string_view exact : kExact) {
    if (name == exact) return true;
  }
  return name.find("address") != std::string_view::npos || name.find("adress") != std::string_view::npos ||
         name.starts_with("location");
}

std::size_t strip_location_facts(nlohmann::json& facts) {
  if (!facts.is_object()) return 0;
  std::vector<std::string> doomed;
  for (const auto& [key, _] : facts.items()) {
    if (is_location_fact(key)) doomed.push_back(key);
  }
  for (const auto& key : doomed) facts.erase(key);
  return doomed.size();
}

}  // namespace knutpunkt::policy
