#pragma once
// Protected identity (skyddade personuppgifter / sekretessmarkering): such a person's address or
// location must never leave the gateway. Stripping is by fact name, so it
// holds for every adapter and mapping, including ones written later.
#include <nlohmann/json.hpp>
#include <string_view>

namespace knutpunkt::policy {

// Whether a fact (by its name in the case event) tells where a person lives or is: addresses,
// postal codes and towns, c/o, coordinates, and any `location_*`.
bool is_location_fact(std::string_view name);

// Removes every location fact; returns how many were removed.
std::size_t strip_location_facts(nlohmann::json& facts);

}  // namespace knutpunkt::policy
