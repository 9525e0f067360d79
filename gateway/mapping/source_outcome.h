#pragma once
// A source's outcome from what its mapping made of the partner's reply: ok with the mapped events
// (envelopes are stamped later by LookupService), or error "mapping_failed". Shared by every
// lookup adapter, so they all report mapping failures the same way.
#include <expected>
#include <string>

#include "core/lookup_types.h"
#include "mapping/mapping.h"

namespace knutpunkt::mapping {

SourceOutcome source_outcome(const std::string& source, std::expected<MappingResult, MappingError> mapped);

}  // namespace knutpunkt::mapping
