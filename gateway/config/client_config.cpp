#include "config/client_config.h"

namespace knutpunkt {

bool ClientConfig::may(std::string_view operation, std::string_view adapter) const {
  const std::string op(operation);
  if (adapter.empty()) return operations.contains(op);
  return operations.contains(op + ":*") || operations.contains(op + ":" + std::string(adapter));
}

}  // namespace knutpunkt
