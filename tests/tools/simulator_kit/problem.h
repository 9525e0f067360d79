#pragma once
// The media types the simulators answer with, and the problem body (RFC 9457) of their HTTP-level
// errors. Each simulator adds the offending field in its own way, as its clients read it.
#include <nlohmann/json.hpp>
#include <string>

namespace knutpunkt::simulator_kit {

inline constexpr const char* kJson = "application/json";
inline constexpr const char* kProblemJson = "application/problem+json";

// {"type": "about:blank", "title", "status", "detail"}
nlohmann::json problem(int status, const std::string& title, const std::string& detail);

}  // namespace knutpunkt::simulator_kit
