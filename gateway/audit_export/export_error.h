#pragma once
#include <string>

namespace knutpunkt::audit_export {

// A failure at the export's boundaries (files, keys, the store, a request that cannot be served).
// `message` is English and never carries key material or record content.
struct ExportError {
  std::string code;   // machine-readable, e.g. "io_error", "key_invalid", "empty_range"
  std::string field;  // the offending option or file, "" when none applies
  std::string message;
};

}  // namespace knutpunkt::audit_export
