#pragma once
#include <string>

namespace knutpunkt::xml {

// Codes: "too_large" | "malformed" | "dtd_forbidden" | "schema_invalid" | "schema_load" | "xpath_invalid".
// The message holds libxml2's own text (element names, line numbers). It can quote parts of the
// document, so callers must not write it to application logs verbatim for partner payloads.
struct XmlError {
  std::string code;
  std::string message;
};

}  // namespace knutpunkt::xml
