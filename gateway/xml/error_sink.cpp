#include "xml/error_sink.h"

namespace knutpunkt::xml {

void ErrorSink::collect(void* user_data, xmlErrorPtr error) {
  if (user_data == nullptr || error == nullptr) return;
  static_cast<ErrorSink*>(user_data)->add(*error);
}

void ErrorSink::add(const xmlError& error) {
  if (error.level < XML_ERR_ERROR) return;  // warnings do not decide anything
  std::string text = error.message != nullptr ? error.message : "unknown libxml2 error";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (error.line > 0) text = "line " + std::to_string(error.line) + ": " + text;
  add(std::move(text));
}

void ErrorSink::add(std::string message) {
  // A hostile document can produce thousands of errors; a few are enough to diagnose it.
  if (messages_.size() < kMaxMessages) messages_.push_back(std::move(message));
}

std::string ErrorSink::message(const std::string& fallback) const {
  if (messages_.empty()) return fallback;
  std::string joined;
  for (const auto& m : messages_) {
    if (!joined.empty()) joined += "; ";
    joined += m;
  }
  return joined;
}

}  // namespace knutpunkt::xml
