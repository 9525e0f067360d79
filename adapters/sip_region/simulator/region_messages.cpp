#include "region_messages.h"

#include "core/clock.h"
#include "core/ids.h"

namespace knutpunkt::sip_region_simulator {

using nlohmann::json;

json svar(const std::string& plan_id, const std::string& participant_id, bool deltar) {
  return {{"meddelandeId", new_uuid()},    {"meddelandetyp", "SVAR"}, {"planId", plan_id},
          {"deltagarId", participant_id}, {"tidpunkt", now_utc()},   {"svar", deltar ? "DELTAR" : "DELTAR_INTE"}};
}

json andringsforslag(const std::string& plan_id, const std::string& participant_id, const std::string& summary,
                     const json& insatser) {
  json forslag = {{"sammanfattning", summary}};
  if (insatser.is_array()) {
    json wire = json::array();
    for (const auto& insats : insatser) {
      json w = json::object();
      if (insats.is_object()) {
        if (insats.contains("description")) w["beskrivning"] = insats["description"];
        if (insats.contains("start_date")) w["startdatum"] = insats["start_date"];
        if (insats.contains("end_date") && !insats["end_date"].is_null()) w["slutdatum"] = insats["end_date"];
      }
      wire.push_back(std::move(w));
    }
    forslag["insatser"] = std::move(wire);
  }
  return {{"meddelandeId", new_uuid()},    {"meddelandetyp", "ANDRINGSFORSLAG"}, {"planId", plan_id},
          {"deltagarId", participant_id}, {"tidpunkt", now_utc()},              {"andringsforslag", std::move(forslag)}};
}

}  // namespace knutpunkt::sip_region_simulator
