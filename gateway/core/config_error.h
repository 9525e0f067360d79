#pragma once
// What is wrong with a configuration, and where: start-up stops with this, so the operator can
// go straight to the field.
#include <string>

namespace knutpunkt {

struct ConfigError {
  std::string field;  // JSON pointer into the configuration, e.g. "/adapters/0/config/endpoint"
  std::string message;
};

}  // namespace knutpunkt
