#pragma once
// Validation at the edge of a lookup request (POST /v1/lookups/{adapter}). Every problem found is
// reported, each naming its field; nothing invalid reaches the core or a partner.
#include "core/lookup_types.h"
#include "http/problem.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace knutpunkt::http {

struct LookupRequest {
  LookupQuery query;  // lookup_id, client_id and purpose_text are filled in by the caller
  std::vector<std::string> sources;
  std::string person_as_given;  // kept for the audit record of a refusal, never logged
};

struct LookupRequestParse {
  LookupRequest request;  // best effort even when invalid, for the audit record
  std::vector<InvalidParam> invalid;
  bool ok() const { return invalid.empty(); }
};

LookupRequestParse parse_lookup_request(const nlohmann::json& body, const std::vector<std::string>& known_sources,
                                        std::chrono::year_month_day today);

}  // namespace knutpunkt::http
