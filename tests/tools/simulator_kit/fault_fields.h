#pragma once
// Reading the fields of a fault control body ({"mode": ..., "latency_ms": ..., ...}). Each simulator
// has its own modes and settings; the rules for reading a field, and the errors a bad one earns,
// are the same everywhere.
#include <array>
#include <cstdint>
#include <expected>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace knutpunkt::simulator_kit {

struct FaultSpecError {
  std::string field;  // empty: the body as a whole
  std::string message;
};

// A simulator's fault modes with their names on the wire, the first being "none".
template <typename Mode, std::size_t N>
using ModeTable = std::array<std::pair<std::string_view, Mode>, N>;

template <typename Mode, std::size_t N>
constexpr std::string_view name_in(const ModeTable<Mode, N>& table, Mode mode) {
  for (const auto& [text, value] : table)
    if (value == mode) return text;
  return table.front().first;
}

// body["mode"], named in `table`; nullopt when the body names no mode.
template <typename Mode, std::size_t N>
std::expected<std::optional<Mode>, FaultSpecError> read_mode(const nlohmann::json& body,
                                                             const ModeTable<Mode, N>& table) {
  const auto found = body.find("mode");
  if (found == body.end()) return std::nullopt;
  if (!found->is_string()) return std::unexpected(FaultSpecError{"mode", "must be a string"});
  const auto text = found->template get<std::string>();
  std::string known;
  for (const auto& [mode_text, mode] : table) {
    if (mode_text == text) return mode;
    known += (known.empty() ? "" : ", ") + std::string(mode_text);
  }
  return std::unexpected(FaultSpecError{"mode", "unknown mode; one of " + known});
}

// A control body must be an object before any field is read.
std::expected<void, FaultSpecError> require_object(const nlohmann::json& body);

// body[field] as an integer of at least `minimum`; nullopt when absent.
std::expected<std::optional<std::int64_t>, FaultSpecError> integer_field(const nlohmann::json& body, const char* field,
                                                                         std::int64_t minimum);

// body[field] as a string; nullopt when absent.
std::expected<std::optional<std::string>, FaultSpecError> string_field(const nlohmann::json& body, const char* field);

}  // namespace knutpunkt::simulator_kit
