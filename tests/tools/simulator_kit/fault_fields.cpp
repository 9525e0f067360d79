#include "fault_fields.h"

namespace knutpunkt::simulator_kit {

std::expected<void, FaultSpecError> require_object(const nlohmann::json& body) {
  if (!body.is_object()) return std::unexpected(FaultSpecError{"", "the body must be a JSON object"});
  return {};
}

std::expected<std::optional<std::int64_t>, FaultSpecError> integer_field(const nlohmann::json& body, const char* field,
                                                                         std::int64_t minimum) {
  const auto found = body.find(field);
  if (found == body.end()) return std::nullopt;
  if (!found->is_number_integer() || found->get<std::int64_t>() < minimum)
    return std::unexpected(FaultSpecError{field, minimum == 0
                                                     ? "must be a non-negative integer"
                                                     : "must be an integer of at least " + std::to_string(minimum)});
  return found->get<std::int64_t>();
}

std::expected<std::optional<std::string>, FaultSpecError> string_field(const nlohmann::json& body, const char* field) {
  const auto found = body.find(field);
  if (found == body.end()) return std::nullopt;
  if (!found->is_string()) return std::unexpected(FaultSpecError{field, "must be a string"});
  return found->get<std::string>();
}

}  // namespace knutpunkt::simulator_kit
