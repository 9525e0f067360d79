#include "core/adapter_registry.h"

#include <stdexcept>

namespace knutpunkt {

AdapterRegistry& AdapterRegistry::instance() {
  static AdapterRegistry registry;
  return registry;
}

void AdapterRegistry::register_lookup_adapter(const std::string& kind, LookupAdapterFactory factory) {
  if (!factories_.emplace(kind, std::move(factory)).second) {
    throw std::logic_error("adapter kind registered twice: " + kind);  // a build mistake, not input
  }
}

const LookupAdapterFactory* AdapterRegistry::find(const std::string& kind) const {
  const auto it = factories_.find(kind);
  return it == factories_.end() ? nullptr : &it->second;
}

std::vector<std::string> AdapterRegistry::kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, _] : factories_) out.push_back(kind);
  return out;
}

}  // namespace knutpunkt
