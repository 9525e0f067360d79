#pragma once
#include <string>

namespace knutpunkt {

// A storage failure. `message` describes the failure, never the data (no personal data).
struct StoreError {
  std::string code;  // e.g. "sqlite_error", "postgresql_error", "busy", "schema_too_new", "stopped"
  std::string message;
};

}  // namespace knutpunkt
