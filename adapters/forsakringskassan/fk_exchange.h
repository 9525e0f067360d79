#pragma once
// One exchange with Försäkringskassan, as pure functions so the wire contract can be tested without
// a network: the request for a source, and the classification and mapping of whatever came back.
#include <cstddef>
#include <string>

#include "core/lookup_types.h"
#include "fk_config.h"
#include "mapping/versioned_mapping.h"
#include "net/http_client.h"

namespace knutpunkt::forsakringskassan {

// FORMANER: LEFI hamtaFormansinformation (POST …/v9/aktorer/{aktorsId}/formansinformation/fraga).
// PAGAENDE: pending applications (POST …/fk-pagaende-arenden/v1/aktorer/{aktorsId}/arenden/fraga).
// The personnummer travels in the body, never in the URL (URLs end up in access logs).
net::HttpRequest build_request(const LookupQuery& query, const std::string& source, const FkConfig& config);

// The body alone, for tests and for the simulator's contract.
nlohmann::json build_question(const LookupQuery& query, const std::string& source, const FkConfig& config);

// GET …/v9/aktorer/{aktorsId}/tillgangligaInformationstyper: LEFI's cheapest call, used as readiness.
net::HttpRequest build_health_request(const FkConfig& config);

struct ReplyLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;
  std::size_t max_depth = 64;
};

// Transport timeout → timeout; no connection, lost connection, 5xx, 408, 429 → unavailable;
// other 4xx → error with partner_code "http_<status>" and LEFI's `meddelande`; a 2xx body that is
// not JSON (or too large, too deep) → error "malformed_reply"; a mapping failure → error
// "mapping_failed". A 2xx answer with `avvikelser` is ok: the avvikelser are deviations, and so
// are members FK's published schema does not name. A 2xx is read by the version of the mapping that
// recognises it.
SourceOutcome read_reply(const std::string& source, const net::HttpResult& result,
                         const mapping::VersionedMapping& mapping, const ReplyLimits& limits);

// The same with a mapping of one contract version only.
SourceOutcome read_reply(const std::string& source, const net::HttpResult& result, const mapping::Mapping& mapping,
                         const ReplyLimits& limits);


}  // namespace knutpunkt::forsakringskassan
