#pragma once
// Turns one HTTP exchange with Arbetsförmedlingen into a SourceOutcome: the classification of
// failures and the mapping of a 2xx answer. Free of I/O so every branch can be tested directly.
#include <cstddef>
#include <string>

#include "core/lookup_types.h"
#include "mapping/versioned_mapping.h"
#include "net/http_client.h"

namespace knutpunkt::arbetsformedlingen {

struct ReplyLimits {
  std::size_t max_reply_bytes = 1024 * 1024;
  std::size_t max_json_depth = 32;
};

// transport timeout -> timeout; connect failure or lost connection -> unavailable; 5xx and 429 ->
// unavailable (AF may answer later); other 4xx -> error with AF's felkod (or "http_<status>");
// a 2xx that is too large, not JSON, nested too deeply, or that the mapping refuses -> error.
// A 2xx is read by the version of the mapping that recognises it; members AF's published schema
// does not name are deviations of an ok outcome.
// Nothing is filtered and no policy applied: the gateway's policy step does that for every adapter.
SourceOutcome read_af_reply(const std::string& source, const net::HttpResult& result,
                            const mapping::VersionedMapping& mapping, const ReplyLimits& limits);

// The same with a mapping of one contract version only.
SourceOutcome read_af_reply(const std::string& source, const net::HttpResult& result, const mapping::Mapping& mapping,
                            const ReplyLimits& limits);


}  // namespace knutpunkt::arbetsformedlingen
