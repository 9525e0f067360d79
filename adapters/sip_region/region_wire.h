#pragma once
// The region wire format (adapters/sip_region/README.md, schemas/sip_region/): how an outbox
// message about a samordnad individuell plan becomes the request a region's system receives.
// Pure functions of the message, so a retry renders byte for byte the same request.
#include <expected>
#include <nlohmann/json.hpp>
#include <string>

#include "core/outbound_adapter.h"

namespace knutpunkt::sip_region {

struct WireRequest {
  std::string method;
  std::string path;  // under the adapter's endpoint; carries the plan id only, never a person id
  nlohmann::json body;
};

// The outbox types this adapter renders, and their wire message types (meddelandetyp).
// sip.invitation -> KALLELSE, sip.plan_updated -> PLANUPPDATERING,
// sip.participant_removed -> DELTAGARE_BORTTAGEN, sip.consent_withdrawn -> SAMTYCKE_ATERKALLAT,
// sip.closed -> PLAN_AVSLUTAD, sip.followup_due -> UPPFOLJNING_FORFALLER.
//
// RenderError codes: "unsupported_type" (field "/type"), "value_missing" and "value_invalid"
// with a JSON pointer into the payload (e.g. "/recipient/participant_id", "/plan/meeting/at").
std::expected<WireRequest, RenderError> render_region_message(const std::string& message_id, const std::string& type,
                                                              const nlohmann::json& payload);

// A sip-plan.v1 document in the region's terms. With `protected_identity` the meeting's place is
// left out whatever the plan says (defence in depth: the gateway leaves it out too). Errors
// point under "/plan".
std::expected<nlohmann::json, RenderError> region_plan(const nlohmann::json& plan, bool protected_identity);

}  // namespace knutpunkt::sip_region
