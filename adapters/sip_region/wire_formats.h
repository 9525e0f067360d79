#pragma once
// The value formats of the region's SIP API (README.md) that both directions check: what is sent
// to the region (region_wire.cpp) and what its callbacks bring (reply_reader.cpp).
#include <regex>
#include <string>

#include "core/clock.h"

namespace knutpunkt::sip_region {

// The sip-plan.v1 `id` pattern.
inline bool is_wire_id(const std::string& text) {
  static const std::regex pattern("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
  return std::regex_match(text, pattern);
}

// YYYY-MM-DD, and a day the calendar has.
inline bool is_wire_date(const std::string& text) {
  static const std::regex pattern("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  return std::regex_match(text, pattern) && parse_utc(text).has_value();
}

// A date-time with its time after a 'T', as parse_utc reads it.
inline bool is_wire_date_time(const std::string& text) {
  return text.size() > 10 && text.find('T') == 10 && parse_utc(text).has_value();
}

}  // namespace knutpunkt::sip_region
