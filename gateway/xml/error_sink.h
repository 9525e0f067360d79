#pragma once
// Collects libxml2's structured errors for one call, so messages can be returned as values
// instead of going to libxml2's global handler (stderr).
#include <libxml/xmlerror.h>

#include <string>
#include <vector>

namespace knutpunkt::xml {

class ErrorSink {
 public:
  // Matches xmlStructuredErrorFunc; user_data must be an ErrorSink*.
  static void collect(void* user_data, xmlErrorPtr error);

  void add(const xmlError& error);
  void add(std::string message);
  bool empty() const { return messages_.empty(); }
  // The collected messages joined, or fallback when none were reported.
  std::string message(const std::string& fallback) const;

 private:
  static constexpr std::size_t kMaxMessages = 8;
  std::vector<std::string> messages_;
};

}  // namespace knutpunkt::xml
