#pragma once
// ASCII digits, as the identifiers and dates that come from outside spell them. Not std::isdigit:
// it depends on the locale and is undefined for a negative char.
#include <string_view>

namespace knutpunkt::policy {

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The value of digits the caller has checked are all digits, at most nine of them.
constexpr int digits_value(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

}  // namespace knutpunkt::policy
