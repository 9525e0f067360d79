#include "core/adapter_registry.h"

#include <set>
#include <stdexcept>

namespace knutpunkt {
namespace {

template <typename Factory>
void add(std::map<std::string, Factory>& into, const std::string& kind, Factory factory) {
  if (!into.emplace(kind, std::move(factory)).second) {
    throw std::logic_error("adapter kind registered twice: " + kind);  // a build mistake, not input
  }
}

template <typename Factory>
const Factory* lookup(const std::map<std::string, Factory>& in, const std::string& kind) {
  const auto it = in.find(kind);
  return it == in.end() ? nullptr : &it->second;
}

}  // namespace

AdapterRegistry& AdapterRegistry::instance() {
  static AdapterRegistry registry;
  return registry;
}

void AdapterRegistry::register_lookup_adapter(const std::string& kind, LookupAdapterFactory factory) {
  add(factories_, kind, std::move(factory));
}

void AdapterRegistry::register_outbound_adapter(const std::string& kind, OutboundAdapterFactory factory) {
  add(outbound_, kind, std::move(factory));
}

void AdapterRegistry::register_inbound_adapter(const std::string& kind, InboundAdapterFactory factory) {
  add(inbound_, kind, std::move(factory));
}

const LookupAdapterFactory* AdapterRegistry::find(const std::string& kind) const {
  return lookup(factories_, kind);
}

const OutboundAdapterFactory* AdapterRegistry::find_outbound(const std::string& kind) const {
  return lookup(outbound_, kind);
}

const InboundAdapterFactory* AdapterRegistry::find_inbound(const std::string& kind) const {
  return lookup(inbound_, kind);
}

std::vector<std::string> AdapterRegistry::kinds() const {
  std::set<std::string> all;
  for (const auto& [kind, _] : factories_) all.insert(kind);
  for (const auto& [kind, _] : outbound_) all.insert(kind);
  for (const auto& [kind, _] : inbound_) all.insert(kind);
  return {all.begin(), all.end()};
}

}  // namespace knutpunkt
