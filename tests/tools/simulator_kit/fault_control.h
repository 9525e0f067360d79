#pragma once
// The two halves of fault injection around a FaultPlan that every simulator with one shares: the
// control API ({prefix}/faults) and answering a request that a fault fails. What differs between
// simulators, the shape of their error bodies, comes in as a function.
#include <httplib.h>

#include <functional>
#include <string>

#include "fault_plan.h"

namespace knutpunkt::simulator_kit {

// PUT {prefix}/faults sets the plan from a JSON body and echoes it; GET describes it; DELETE
// clears it (204). A body that is not a valid fault gets 400 with `invalid_body(error)` as
// application/problem+json.
void serve_fault_control(httplib::Server& server, const std::string& prefix, FaultPlan& faults,
                         std::function<std::string(const FaultSpecError&)> invalid_body);

// Answers a request whose decision fails_without_effect(): a reset closes the connection without
// a reply; a reply gets the decision's status, its Retry-After if any, and `body` as `content_type`.
void answer_fault(const FaultDecision& fault, const httplib::Request& request, httplib::Response& response,
                  const std::string& body, const char* content_type);

}  // namespace knutpunkt::simulator_kit
