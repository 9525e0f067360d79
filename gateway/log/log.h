#pragma once
// Structured application logging: one JSON object per line, through spdlog.
//
// Application logs never carry personal data (no personnummer, no names, no case content): they
// say what happened to which lookup id, source and client. Personal data belongs in the audit log
// only. That is why the API takes an event name and a flat set of fields rather than free text.
#include <nlohmann/json.hpp>

#include <string_view>

namespace knutpunkt::log {

enum class Level { debug, info, warn, error };

// Installs the JSON-lines sink on stderr (or appends to `file` when non-empty).
void init(Level min_level, std::string_view file = {});

void write(Level level, std::string_view event, nlohmann::json fields = nlohmann::json::object());

inline void info(std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
  write(Level::info, event, std::move(fields));
}
inline void warn(std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
  write(Level::warn, event, std::move(fields));
}
inline void error(std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
  write(Level::error, event, std::move(fields));
}
inline void debug(std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
  write(Level::debug, event, std::move(fields));
}

}  // namespace knutpunkt::log
