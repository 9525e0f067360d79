#pragma once
#include <string>

namespace knutpunkt::policy {

// Why one input field was refused. `reason` is shown to API clients and may be logged, so it
// never repeats the offending value (a personnummer is personal data).
struct FieldError {
  std::string field;   // relative field name, e.g. "" for a lone value, or "from"
  std::string code;    // machine-readable, e.g. "bad_check_digit"
  std::string reason;  // English sentence, no personal data
};

}  // namespace knutpunkt::policy
