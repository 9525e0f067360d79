#pragma once
// How this Jobbtorg's reports ride on the simulator kit's CallbackSender: each referral is a lane
// (its reports arrive in order, one in flight), a report is stamped with meddelandeId and tidpunkt
// when first sent, and retries repeat it byte for byte (adapters/jobbtorg/README.md, "Inbound:
// reports").
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "callback_sender.h"

namespace knutpunkt::jobbtorg_simulator {

// The reports of one referral (as report_sequence makes them) as callbacks on its lane.
std::vector<simulator_kit::CallbackMaker> report_callbacks(const std::string& anvisnings_id,
                                                           std::vector<nlohmann::json> reports);

// For tests: one complete report sent once, now, on its referral's lane; resend repeats its body.
simulator_kit::CallbackReply send_report_once(simulator_kit::CallbackSender& sender, const nlohmann::json& report);

// {"typ", "meddelandeId", "state", "attempts", "last_status"} per report of one referral, in order.
nlohmann::json reports_of(const simulator_kit::CallbackSender& sender, const std::string& anvisnings_id);

// The stderr line of a report given up on: ids and status only.
void log_report_gave_up(const simulator_kit::CallbackRecord& report);

}  // namespace knutpunkt::jobbtorg_simulator
