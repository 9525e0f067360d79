#pragma once
// Every refusal is application/problem+json (RFC 9457) with a machine-readable `code` and, for
// invalid input, `invalid-params` naming each offending field.
#include "core/failure.h"
#include "http/message.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace knutpunkt::http {

struct InvalidParam {
  std::string name;    // field path in the request, e.g. "period.from", "sources[2]"
  std::string code;    // machine-readable, e.g. "bad_check_digit"
  std::string reason;  // English sentence; never echoes the submitted value
};

struct Problem {
  unsigned status = 400;
  std::string code;  // e.g. "invalid_request", "unauthenticated", "purpose_not_allowed"
  std::string title;
  std::string detail;
  std::vector<InvalidParam> invalid_params;
  std::string lookup_id;  // set when the refusal was audited, so the client can cite it
};

nlohmann::json to_json(const Problem& problem);
Response make_problem_response(const Problem& problem);
// The status a service's typed failure is answered with: invalid 422, not_found 404,
// not_allowed 403, precondition_failed 412, conflict 409, unavailable 503.
unsigned failure_status(FailureKind kind);
Response make_json_response(unsigned status, const nlohmann::json& body);

}  // namespace knutpunkt::http
