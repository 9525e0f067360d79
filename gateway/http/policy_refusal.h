#pragma once
// How a refusal of the policy step reads to the client: problem+json with the status and code the
// step chose, naming the request's own field (the step says "person"; an endpoint whose request
// calls it "person_id" says so).
#include <string>

#include "authorization/exchange_authorizer.h"
#include "http/problem.h"

namespace knutpunkt::http {

inline Problem policy_problem(const authorization::Refusal& why, const std::string& person_field = "person") {
  std::vector<InvalidParam> invalid;
  if (!why.field.empty()) invalid.push_back({why.field == "person" ? person_field : why.field, why.code, why.reason});
  return {why.status, why.code, why.status == 503 ? "Store unavailable" : "Not allowed by policy", why.reason,
          std::move(invalid), {}};
}

}  // namespace knutpunkt::http
