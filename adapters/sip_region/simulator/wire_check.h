#pragma once
// What this region's system accepts on its wire endpoints (adapters/sip_region/README.md): the
// envelope every message carries, a plan where one belongs and nowhere else, no place in a
// protected person's plan, and nothing but the envelope in a consent withdrawal. A message that
// fails is answered 400 and has no effect.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace knutpunkt::sip_region_simulator {

struct FieldError {
  std::string falt;   // JSON pointer, or a header name
  std::string orsak;  // Swedish, as the region's system would say it; never a value sent
};

enum class Endpoint { kallelser, plan, meddelanden };

// `path_plan_id` is the {planId} of the path (empty for /sip/kallelser).
std::vector<FieldError> check_message(Endpoint endpoint, const nlohmann::json& body, const std::string& path_plan_id);

// The outbox type a wire message type stands for (KALLELSE -> sip.invitation, ...), or "".
std::string gateway_type(const std::string& meddelandetyp);

}  // namespace knutpunkt::sip_region_simulator
