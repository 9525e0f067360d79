#pragma once
// A label value in Prometheus' text format. Label values here are configuration names and our
// own codes, never personal data; the escaping is what the format requires of any value.
#include <string>
#include <string_view>

namespace knutpunkt {

inline std::string prometheus_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace knutpunkt
