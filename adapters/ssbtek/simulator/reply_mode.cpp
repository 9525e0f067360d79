#include "reply_mode.h"

namespace knutpunkt::ssbtek_simulator {

std::optional<ReplyMode> reply_mode_named(std::string_view text) {
  for (const auto& [mode_text, mode] : kReplyModes)
    if (mode_text == text) return mode;
  return std::nullopt;
}

std::expected<ReplyMode, simulator_kit::FaultSpecError> parse_reply_mode(const nlohmann::json& body) {
  if (auto object = simulator_kit::require_object(body); !object) return std::unexpected(object.error());
  auto mode = simulator_kit::read_mode(body, kReplyModes);
  if (!mode) return std::unexpected(mode.error());
  if (!*mode) return std::unexpected(simulator_kit::FaultSpecError{"mode", "is required"});
  return **mode;
}

nlohmann::json ReplyModeSetting::describe() const {
  return {{"mode", name(get())}, {"initial", name(initial_)}};
}

}  // namespace knutpunkt::ssbtek_simulator
