#pragma once
// A source's outcome from what its mapping made of the partner's reply: ok with the mapped events
// (envelopes are stamped later by LookupService), or error "mapping_failed". Shared by every
// lookup adapter, so they all report mapping failures the same way.
#include <expected>
#include <string>
#include <string_view>

#include "core/lookup_types.h"
#include "mapping/mapping.h"
#include "mapping/versioned_mapping.h"

namespace knutpunkt::mapping {

SourceOutcome source_outcome(const std::string& source, std::expected<MappingResult, MappingError> mapped);

// A REST partner's 2xx JSON body, held to `limits` (max_decoded_bytes bounds the body), parsed
// and mapped. Errors: "reply_too_large", "malformed_reply" (too deep, not JSON, not an object),
// "mapping_failed". `partner` names the partner in messages; no message quotes the body.
SourceOutcome map_json_reply(const std::string& source, std::string_view body, const Mapping& mapping,
                             const ApplyLimits& limits, const std::string& partner);
// The same with every contract version of the source: the one that recognises the answer maps it.
SourceOutcome map_json_reply(const std::string& source, std::string_view body, const VersionedMapping& mapping,
                             const ApplyLimits& limits, const std::string& partner);

}  // namespace knutpunkt::mapping
