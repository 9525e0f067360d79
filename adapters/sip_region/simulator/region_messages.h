#pragma once
// What this region's system sends knutpunkt (adapters/sip_region/README.md, "Inbound"): SVAR to
// a kallelse and ANDRINGSFORSLAG, each stamped with a new meddelandeId and the time now.
#include <nlohmann/json.hpp>
#include <string>

namespace knutpunkt::sip_region_simulator {

nlohmann::json svar(const std::string& plan_id, const std::string& participant_id, bool deltar);

// `insatser`: [{description, start_date, end_date?}] as the control API takes them, written in the
// region's terms as given (not checked here: a test may want the gateway to see a bad one).
nlohmann::json andringsforslag(const std::string& plan_id, const std::string& participant_id,
                               const std::string& summary, const nlohmann::json& insatser);

}  // namespace knutpunkt::sip_region_simulator
